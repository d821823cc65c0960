/** Adadelta, as `torch.optim.Adadelta` in PyTorch 2.x (its single-tensor algorithm, in TypeScript with in-place ops). */
import { full, zerosLike } from '../creation.js';
import { getDefaultDtype } from '../dtype.js';
import { Optimizer, type ParamGroupOf, type ParamsInput } from './optimizer.js';
import { between, falseOrNullSingle, flag, nonNegative, onlyFalseSingle, option, type OptionsOf } from './options.js';
import { forEachGrad, scalarStateValue, stateTensor } from './each-grad.js';
import type { Tensor as StateTensor } from '../tensor.js';
import type { PyValue } from '../py-value.js';

/** Adadelta's options: PyTorch 2.x's names (camelCased), order and defaults. */
export const ADADELTA_OPTIONS = {
  /** Coefficient scaling the delta before it is applied (a Python float). */
  lr: option(1.0, nonNegative('learning rate'), { float: true }),
  /** Coefficient of the running averages of the squared gradient and of the squared delta, in [0, 1]. */
  rho: option(0.9, between('rho value', 0, 1)),
  /** Added inside the square roots for numerical stability. */
  eps: option(1e-6, nonNegative('epsilon value')),
  /** L2 penalty added to the gradient. */
  weightDecay: option(0, nonNegative('weight_decay value')),
  /** Maximize the objective instead of minimizing. */
  maximize: option(false, flag, { addedLater: true }),
  /** Only false is supported. */
  capturable: option(false, onlyFalseSingle, { addedLater: true }),
  /** null (default) or false: the single-tensor algorithm, which PyTorch also runs on CPU for null. */
  foreach: option<boolean | null>(null, falseOrNullSingle, { addedLater: true }),
  /** Only false is supported. */
  differentiable: option(false, onlyFalseSingle, { addedLater: true }),
};

/** Options of {@link Adadelta}. */
export type AdadeltaOptions = OptionsOf<typeof ADADELTA_OPTIONS>;
/** A parameter group of {@link Adadelta}. */
export type AdadeltaParamGroup = ParamGroupOf<typeof ADADELTA_OPTIONS>;

/**
 * Adadelta (Zeiler), as `torch.optim.Adadelta`. State per parameter with a gradient: `step`,
 * `squareAvg`, `accDelta`.
 */
export class Adadelta extends Optimizer<typeof ADADELTA_OPTIONS> {
  /** The option table (names, PyTorch's defaults, checks). */
  static readonly options: typeof ADADELTA_OPTIONS = ADADELTA_OPTIONS;
  /** The order in which PyTorch's `__setstate__` adds the keys a loaded group lacks. */
  static readonly setstateOrder: readonly string[] = ['foreach', 'maximize', 'differentiable', 'capturable'];

  /**
   * @param params tensors, `[name, tensor]` pairs, or parameter groups.
   * @param opts options overriding the defaults ({@link ADADELTA_OPTIONS}): lr 1.0, rho 0.9, eps 1e-6,
   *   weightDecay 0, maximize false.
   * @throws TypeError for an unknown option or a value of the wrong kind; RangeError with PyTorch's message
   *   ("Invalid learning rate: -1", "Invalid rho value: 2", likewise epsilon, weight_decay), for
   *   capturable/differentiable/foreach set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<AdadeltaOptions>, opts: AdadeltaOptions = {}) {
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
        s.squareAvg = this.own(zerosLike(param));
        s.accDelta = this.own(zerosLike(param));
      }
      const { rho, eps } = group;
      const squareAvg = stateTensor(s, 'squareAvg', this.name);
      const accDelta = stateTensor(s, 'accDelta', this.name);
      stateTensor(s, 'step', this.name).add_(1);
      let grad = group.maximize ? g0.neg() : g0;
      if (group.weightDecay !== 0) grad = grad.add(param, { alpha: group.weightDecay });
      squareAvg.mul_(rho).addcmul_(grad, grad, { value: 1 - rho });
      const std = squareAvg.add(eps).sqrt_();
      const delta = accDelta.add(eps).sqrt_();
      delta.div_(std).mul_(grad);
      accDelta.mul_(rho).addcmul_(delta, delta, { value: 1 - rho });
      param.add_(delta, { alpha: -group.lr });
    });
    return loss;
  }
}
