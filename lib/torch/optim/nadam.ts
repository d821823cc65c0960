/** NAdam, as `torch.optim.NAdam` in PyTorch 2.x (its single-tensor algorithm, in TypeScript with in-place ops). */
import { full, zerosLike } from '../creation.js';
import { getDefaultDtype } from '../dtype.js';
import { Optimizer, type ParamGroupOf, type ParamsInput } from './optimizer.js';
import { betaPair, falseOrNullSingle, flag, nonNegative, onlyFalseSingle, option, type OptionsOf } from './options.js';
import { forEachGrad, scalarStateValue, stateTensor } from './each-grad.js';
import type { Tensor as StateTensor } from '../tensor.js';
import type { PyValue } from '../py-value.js';

/** NAdam's options: PyTorch 2.x's names (camelCased), order and defaults. */
export const NADAM_OPTIONS = {
  /** Learning rate. */
  lr: option(2e-3, nonNegative('learning rate')),
  /** Coefficients of the running averages of the gradient and of its square. */
  betas: option<[number, number]>([0.9, 0.999], betaPair, { tuple: true }),
  /** Added to the denominator for numerical stability. */
  eps: option(1e-8, nonNegative('epsilon value')),
  /** Weight decay: an L2 penalty added to the gradient, or with `decoupledWeightDecay` a shrink of the parameters. */
  weightDecay: option(0, nonNegative('weight_decay value')),
  /** Momentum decay (psi). */
  momentumDecay: option(4e-3, nonNegative('momentum_decay value')),
  /** Decay the parameters instead of adding the penalty to the gradient (NAdamW). */
  decoupledWeightDecay: option(false, flag, { addedLater: true }),
  /** Maximize the objective instead of minimizing. */
  maximize: option(false, flag, { addedLater: true }),
  /** null (default) or false: the single-tensor algorithm, which PyTorch also runs on CPU for null. */
  foreach: option<boolean | null>(null, falseOrNullSingle, { addedLater: true }),
  /** Only false is supported. */
  capturable: option(false, onlyFalseSingle, { addedLater: true }),
  /** Only false is supported. */
  differentiable: option(false, onlyFalseSingle, { addedLater: true }),
};

/** Options of {@link NAdam}. */
export type NAdamOptions = OptionsOf<typeof NADAM_OPTIONS>;
/** A parameter group of {@link NAdam}. */
export type NAdamParamGroup = ParamGroupOf<typeof NADAM_OPTIONS>;

/**
 * NAdam (Dozat: Adam with Nesterov momentum), as `torch.optim.NAdam`. State per parameter with a
 * gradient: `step`, `muProduct` (0-dim), `expAvg`, `expAvgSq`.
 */
export class NAdam extends Optimizer<typeof NADAM_OPTIONS> {
  /** The option table (names, PyTorch's defaults, checks). */
  static readonly options: typeof NADAM_OPTIONS = NADAM_OPTIONS;
  /** The order in which PyTorch's `__setstate__` adds the keys a loaded group lacks. */
  static readonly setstateOrder: readonly string[] = ['maximize', 'foreach', 'capturable', 'differentiable', 'decoupledWeightDecay'];

  /**
   * @param params tensors, `[name, tensor]` pairs, or parameter groups.
   * @param opts options overriding the defaults ({@link NADAM_OPTIONS}): lr 2e-3, betas [0.9, 0.999], eps 1e-8,
   *   weightDecay 0, momentumDecay 4e-3, decoupledWeightDecay false, maximize false.
   * @throws TypeError for an unknown option or a value of the wrong kind; RangeError with PyTorch's message
   *   ("Invalid learning rate: -1", likewise epsilon, betas, weight_decay, momentum_decay), for
   *   capturable/differentiable/foreach set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<NAdamOptions>, opts: NAdamOptions = {}) {
    super(params, opts);
  }

  /** A number saved for [`step`, `muProduct`] (older PyTorch layouts) becomes a 0-dim tensor of the default dtype, as PyTorch's `__setstate__`. */
  protected override loadStateValue(key: string, v: PyValue<StateTensor>): StateTensor | null {
    return scalarStateValue(key, v, ['step', 'muProduct']);
  }

  /**
   * One step for every parameter that has a gradient.
   * @param closure re-evaluates the loss (run with gradients enabled); its result is returned.
   */
  step<L = unknown>(closure?: () => L): L | undefined {
    const loss = this.runClosure(closure);
    forEachGrad(this.paramGroups, (param, g0, group) => {
      const s = this.stateOf(param);
      if (Object.keys(s).length === 0) {
        s.step = this.own(full([], 0, { dtype: getDefaultDtype() }));
        s.muProduct = this.own(full([], 1, { dtype: getDefaultDtype() }));
        s.expAvg = this.own(zerosLike(param));
        s.expAvgSq = this.own(zerosLike(param));
      }
      const [beta1, beta2] = group.betas;
      const { lr, weightDecay, momentumDecay, eps } = group;
      let grad = group.maximize ? g0.neg() : g0;
      const expAvg = stateTensor(s, 'expAvg', this.name);
      const expAvgSq = stateTensor(s, 'expAvgSq', this.name);
      const muProduct = stateTensor(s, 'muProduct', this.name);
      const stepT = stateTensor(s, 'step', this.name);
      stepT.add_(1);
      const step = stepT.item();
      const biasCorrection2 = 1 - beta2 ** step;
      if (weightDecay !== 0) {
        if (group.decoupledWeightDecay) param.mul_(1 - lr * weightDecay);
        else grad = grad.add(param, { alpha: weightDecay });
      }
      const mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentumDecay));
      const muNext = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
      muProduct.mul_(mu);
      expAvg.lerp_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
      const denom = expAvgSq.div(biasCorrection2).sqrt();
      const muProd = muProduct.item();
      const muProductNext = muProd * muNext;
      denom.add_(eps);
      param.addcdiv_(grad, denom, { value: (-lr * (1.0 - mu)) / (1.0 - muProd) });
      param.addcdiv_(expAvg, denom, { value: (-lr * muNext) / (1.0 - muProductNext) });
    });
    return loss;
  }
}
