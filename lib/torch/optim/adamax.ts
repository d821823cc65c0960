/** Adamax, as `torch.optim.Adamax` in PyTorch 2.x (its single-tensor algorithm, in TypeScript with in-place ops). */
import { full, zerosLike } from '../creation.js';
import { getDefaultDtype } from '../dtype.js';
import { Optimizer, type ParamGroupOf, type ParamsInput } from './optimizer.js';
import { betaPair, falseOrNullSingle, flag, nonNegative, onlyFalseSingle, option, type OptionsOf } from './options.js';
import { forEachGrad, scalarStateValue, stateTensor } from './each-grad.js';
import type { Tensor as StateTensor } from '../tensor.js';
import type { PyValue } from '../py-value.js';

/** Adamax's options: PyTorch 2.x's names (camelCased), order and defaults. */
export const ADAMAX_OPTIONS = {
  /** Learning rate. */
  lr: option(2e-3, nonNegative('learning rate')),
  /** Coefficients of the running average of the gradient and of the exponentially weighted infinity norm. */
  betas: option<[number, number]>([0.9, 0.999], betaPair, { tuple: true }),
  /** Added to the infinity norm for numerical stability. */
  eps: option(1e-8, nonNegative('epsilon value')),
  /** L2 penalty added to the gradient. */
  weightDecay: option(0, nonNegative('weight_decay value')),
  /** null (default) or false: the single-tensor algorithm, which PyTorch also runs on CPU for null. */
  foreach: option<boolean | null>(null, falseOrNullSingle, { addedLater: true }),
  /** Maximize the objective instead of minimizing. */
  maximize: option(false, flag, { addedLater: true }),
  /** Only false is supported. */
  differentiable: option(false, onlyFalseSingle, { addedLater: true }),
  /** Only false is supported. */
  capturable: option(false, onlyFalseSingle, { addedLater: true }),
};

/** Options of {@link Adamax}. */
export type AdamaxOptions = OptionsOf<typeof ADAMAX_OPTIONS>;
/** A parameter group of {@link Adamax}. */
export type AdamaxParamGroup = ParamGroupOf<typeof ADAMAX_OPTIONS>;

/**
 * Adamax (Kingma & Ba, Adam on the infinity norm), as `torch.optim.Adamax`. State per parameter with
 * a gradient: `step`, `expAvg`, `expInf`.
 */
export class Adamax extends Optimizer<typeof ADAMAX_OPTIONS> {
  /** The option table (names, PyTorch's defaults, checks). */
  static readonly options: typeof ADAMAX_OPTIONS = ADAMAX_OPTIONS;
  /** The order in which PyTorch's `__setstate__` adds the keys a loaded group lacks. */
  static readonly setstateOrder: readonly string[] = ['foreach', 'maximize', 'differentiable', 'capturable'];

  /**
   * @param params tensors, `[name, tensor]` pairs, or parameter groups.
   * @param opts options overriding the defaults ({@link ADAMAX_OPTIONS}): lr 2e-3, betas [0.9, 0.999],
   *   eps 1e-8, weightDecay 0, maximize false.
   * @throws TypeError for an unknown option or a value of the wrong kind; RangeError with PyTorch's message
   *   ("Invalid learning rate: -1", "Invalid beta parameter at index 0: 1.0", likewise epsilon, weight_decay),
   *   for capturable/differentiable/foreach set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<AdamaxOptions>, opts: AdamaxOptions = {}) {
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
        s.expInf = this.own(zerosLike(param));
      }
      const [beta1, beta2] = group.betas;
      let grad = group.maximize ? g0.neg() : g0;
      const expAvg = stateTensor(s, 'expAvg', this.name);
      const expInf = stateTensor(s, 'expInf', this.name);
      const stepT = stateTensor(s, 'step', this.name);
      stepT.add_(1);
      if (group.weightDecay !== 0) grad = grad.add(param, { alpha: group.weightDecay });
      expAvg.lerp_(grad, 1 - beta1);
      // torch.maximum(exp_inf.mul_(beta2), |g| + eps, out=exp_inf)
      expInf.copy_(expInf.mul_(beta2).maximum(grad.abs().add_(group.eps)));
      const biasCorrection = 1 - beta1 ** stepT.item();
      const clr = group.lr / biasCorrection;
      param.addcdiv_(expAvg, expInf, { value: -clr });
    });
    return loss;
  }
}
