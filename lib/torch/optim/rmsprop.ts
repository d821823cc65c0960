/** RMSprop, as `torch.optim.RMSprop` in PyTorch 2.x (its single-tensor algorithm, in TypeScript with in-place ops). */
import { full, zerosLike } from '../creation.js';
import { getDefaultDtype } from '../dtype.js';
import { Optimizer, type ParamGroupOf, type ParamsInput } from './optimizer.js';
import { falseOrNullSingle, flag, nonNegative, onlyFalseSingle, option, type OptionsOf } from './options.js';
import { forEachGrad, scalarStateValue, stateTensor } from './each-grad.js';
import type { Tensor as StateTensor } from '../tensor.js';
import type { PyValue } from '../py-value.js';

/** RMSprop's options: PyTorch 2.x's names (camelCased), order and defaults. */
export const RMSPROP_OPTIONS = {
  /** Learning rate. */
  lr: option(1e-2, nonNegative('learning rate')),
  /** Momentum factor. */
  momentum: option(0, nonNegative('momentum value'), { addedLater: true }),
  /** Smoothing constant of the running average of the squared gradient. */
  alpha: option(0.99, nonNegative('alpha value')),
  /** Added to the denominator for numerical stability. */
  eps: option(1e-8, nonNegative('epsilon value')),
  /** Normalize the gradient by an estimate of its variance (centered RMSprop). */
  centered: option(false, flag, { addedLater: true }),
  /** L2 penalty added to the gradient. */
  weightDecay: option(0, nonNegative('weight_decay value')),
  /** Only false is supported. */
  capturable: option(false, onlyFalseSingle, { addedLater: true }),
  /** null (default) or false: the single-tensor algorithm, which PyTorch also runs on CPU for null. */
  foreach: option<boolean | null>(null, falseOrNullSingle, { addedLater: true }),
  /** Maximize the objective instead of minimizing. */
  maximize: option(false, flag, { addedLater: true }),
  /** Only false is supported. */
  differentiable: option(false, onlyFalseSingle, { addedLater: true }),
};

/** Options of {@link RMSprop}. */
export type RMSpropOptions = OptionsOf<typeof RMSPROP_OPTIONS>;
/** A parameter group of {@link RMSprop}. */
export type RMSpropParamGroup = ParamGroupOf<typeof RMSPROP_OPTIONS>;

/**
 * RMSprop (Hinton), as `torch.optim.RMSprop`: `v = alpha v + (1 - alpha) g²`, optionally centered
 * (`v - ḡ²`) and with momentum. State per parameter with a gradient: `step`, `squareAvg`
 * (+ `momentumBuffer` with momentum > 0, `gradAvg` when centered).
 */
export class RMSprop extends Optimizer<typeof RMSPROP_OPTIONS> {
  /** The option table (names, PyTorch's defaults, checks). */
  static readonly options: typeof RMSPROP_OPTIONS = RMSPROP_OPTIONS;
  /** The order in which PyTorch's `__setstate__` adds the keys a loaded group lacks. */
  static readonly setstateOrder: readonly string[] = ['momentum', 'centered', 'foreach', 'maximize', 'differentiable', 'capturable'];

  /**
   * @param params tensors, `[name, tensor]` pairs, or parameter groups.
   * @param opts options overriding the defaults ({@link RMSPROP_OPTIONS}): lr 1e-2, alpha 0.99, eps 1e-8,
   *   weightDecay 0, momentum 0, centered false, maximize false.
   * @throws TypeError for an unknown option or a value of the wrong kind; RangeError with PyTorch's message
   *   ("Invalid learning rate: -1", likewise epsilon, momentum, weight_decay, alpha), for
   *   capturable/differentiable/foreach set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<RMSpropOptions>, opts: RMSpropOptions = {}) {
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
        if (group.momentum > 0) s.momentumBuffer = this.own(zerosLike(param));
        if (group.centered) s.gradAvg = this.own(zerosLike(param));
      }
      const { alpha, eps, momentum } = group;
      let grad = group.maximize ? g0.neg() : g0;
      const squareAvg = stateTensor(s, 'squareAvg', this.name);
      stateTensor(s, 'step', this.name).add_(1);
      if (group.weightDecay !== 0) grad = grad.add(param, { alpha: group.weightDecay });
      squareAvg.mul_(alpha).addcmul_(grad, grad, { value: 1 - alpha });
      let avg: StateTensor;
      if (group.centered) {
        const gradAvg = stateTensor(s, 'gradAvg', this.name);
        gradAvg.lerp_(grad, 1 - alpha);
        avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
      } else {
        avg = squareAvg.sqrt();
      }
      avg = avg.add_(eps);
      if (momentum > 0) {
        const buf = stateTensor(s, 'momentumBuffer', this.name);
        buf.mul_(momentum).addcdiv_(grad, avg);
        param.add_(buf, { alpha: -group.lr });
      } else {
        param.addcdiv_(grad, avg, { value: -group.lr });
      }
    });
    return loss;
  }
}
