/** RAdam, as `torch.optim.RAdam` in PyTorch 2.x (its single-tensor algorithm, in TypeScript with in-place ops). */
import { full, zerosLike } from '../creation.js';
import { getDefaultDtype } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { Optimizer, type ParamGroupOf, type ParamsInput } from './optimizer.js';
import { betaPair, falseOrNullSingle, flag, nonNegative, onlyFalseSingle, option, type OptionsOf } from './options.js';
import { forEachGrad, scalarStateValue, stateTensor } from './each-grad.js';
import type { Tensor as StateTensor } from '../tensor.js';
import type { PyValue } from '../py-value.js';

/** RAdam's options: PyTorch 2.x's names (camelCased), order and defaults. */
export const RADAM_OPTIONS = {
  /** Learning rate. */
  lr: option(1e-3, nonNegative('learning rate')),
  /** Coefficients of the running averages of the gradient and of its square. */
  betas: option<[number, number]>([0.9, 0.999], betaPair, { tuple: true }),
  /** Added to the denominator for numerical stability. */
  eps: option(1e-8, nonNegative('epsilon value')),
  /** Weight decay: an L2 penalty added to the gradient, or with `decoupledWeightDecay` a shrink of the parameters. */
  weightDecay: option(0, nonNegative('weight_decay value')),
  /** Maximize the objective instead of minimizing. */
  maximize: option(false, flag, { addedLater: true }),
  /** null (default) or false: the single-tensor algorithm, which PyTorch also runs on CPU for null. */
  foreach: option<boolean | null>(null, falseOrNullSingle, { addedLater: true }),
  /** Only false is supported. */
  capturable: option(false, onlyFalseSingle, { addedLater: true }),
  /** Decay the parameters instead of adding the penalty to the gradient (RAdamW). */
  decoupledWeightDecay: option(false, flag, { addedLater: true }),
  /** Only false is supported. */
  differentiable: option(false, onlyFalseSingle, { addedLater: true }),
};

/** Options of {@link RAdam}. */
export type RAdamOptions = OptionsOf<typeof RADAM_OPTIONS>;
/** A parameter group of {@link RAdam}. */
export type RAdamParamGroup = ParamGroupOf<typeof RADAM_OPTIONS>;

/**
 * RAdam (Liu et al.: Adam with a rectified adaptive lr), as `torch.optim.RAdam`. State per parameter
 * with a gradient: `step`, `expAvg`, `expAvgSq`.
 */
export class RAdam extends Optimizer<typeof RADAM_OPTIONS> {
  /** The option table (names, PyTorch's defaults, checks). */
  static readonly options: typeof RADAM_OPTIONS = RADAM_OPTIONS;
  /** The order in which PyTorch's `__setstate__` adds the keys a loaded group lacks. */
  static readonly setstateOrder: readonly string[] = ['foreach', 'maximize', 'differentiable', 'decoupledWeightDecay', 'capturable'];

  /**
   * @param params tensors, `[name, tensor]` pairs, or parameter groups.
   * @param opts options overriding the defaults ({@link RADAM_OPTIONS}): lr 1e-3, betas [0.9, 0.999], eps 1e-8,
   *   weightDecay 0, decoupledWeightDecay false, maximize false.
   * @throws TypeError for an unknown option or a value of the wrong kind; RangeError with PyTorch's message
   *   ("Invalid learning rate: -1", likewise epsilon, betas, weight_decay), for
   *   capturable/differentiable/foreach set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<RAdamOptions>, opts: RAdamOptions = {}) {
    super(params, opts);
  }

  /** A number saved for [`step`] (older PyTorch layouts) becomes a 0-dim tensor of the default dtype, as PyTorch's `__setstate__`. */
  protected override loadStateValue(key: string, v: PyValue<StateTensor>): StateTensor | null {
    return scalarStateValue(key, v, ['step']);
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
        s.expAvg = this.own(zerosLike(param));
        s.expAvgSq = this.own(zerosLike(param));
      }
      const [beta1, beta2] = group.betas;
      const { lr, weightDecay, eps } = group;
      let grad = group.maximize ? g0.neg() : g0;
      const expAvg = stateTensor(s, 'expAvg', this.name);
      const expAvgSq = stateTensor(s, 'expAvgSq', this.name);
      const stepT = stateTensor(s, 'step', this.name);
      stepT.add_(1);
      const step = stepT.item();
      if (weightDecay !== 0) {
        if (group.decoupledWeightDecay) param.mul_(1 - lr * weightDecay);
        else grad = grad.add(param, { alpha: weightDecay });
      }
      expAvg.lerp_(grad, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const biasCorrectedExpAvg = expAvg.div(biasCorrection1);
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
      if (rhoT > 5.0) {
        const rect = (((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) ** 0.5;
        // Python's `scalar / tensor` is `tensor.reciprocal() * scalar`.
        const adaptiveLr: Tensor = expAvgSq
          .sqrt()
          .add_(eps)
          .reciprocal()
          .mul(biasCorrection2 ** 0.5);
        param.add_(biasCorrectedExpAvg.mul(lr).mul(adaptiveLr).mul(rect), { alpha: -1.0 });
      } else {
        param.add_(biasCorrectedExpAvg.mul(lr), { alpha: -1.0 });
      }
    });
    return loss;
  }
}
