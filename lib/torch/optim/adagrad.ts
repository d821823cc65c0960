/** Adagrad, as `torch.optim.Adagrad` in PyTorch 2.x (its single-tensor algorithm, in TypeScript with in-place ops). */
import { full, fullLike } from '../creation.js';
import { getDefaultDtype } from '../dtype.js';
import { Optimizer, type ParamGroupOf, type ParamsInput } from './optimizer.js';
import { falseOrNullSingle, flag, nonNegative, onlyFalseSingle, option, type OptionsOf } from './options.js';
import { forEachGrad, scalarStateValue, stateTensor } from './each-grad.js';
import type { Tensor as StateTensor } from '../tensor.js';
import type { PyValue } from '../py-value.js';

/** Adagrad's options: PyTorch 2.x's names (camelCased), order and defaults. */
export const ADAGRAD_OPTIONS = {
  /** Learning rate. */
  lr: option(1e-2, nonNegative('learning rate')),
  /** The lr at step t is `lr / (1 + (t - 1) * lrDecay)`. */
  lrDecay: option(0, nonNegative('lr_decay value')),
  /** Added to the denominator for numerical stability. */
  eps: option(1e-10, nonNegative('epsilon value')),
  /** L2 penalty added to the gradient. */
  weightDecay: option(0, nonNegative('weight_decay value')),
  /** Initial value of the sum of squared gradients (the optimizer's, as PyTorch: a group's own value is not used). */
  initialAccumulatorValue: option(0, nonNegative('initial_accumulator_value value')),
  /** null (default) or false: the single-tensor algorithm, which PyTorch also runs on CPU for null. */
  foreach: option<boolean | null>(null, falseOrNullSingle, { addedLater: true }),
  /** Maximize the objective instead of minimizing. */
  maximize: option(false, flag, { addedLater: true }),
  /** Only false is supported. */
  differentiable: option(false, onlyFalseSingle, { addedLater: true }),
  /** null (default) or false. */
  fused: option<boolean | null>(null, falseOrNullSingle, { addedLater: true }),
};

/** Options of {@link Adagrad}. */
export type AdagradOptions = OptionsOf<typeof ADAGRAD_OPTIONS>;
/** A parameter group of {@link Adagrad}. */
export type AdagradParamGroup = ParamGroupOf<typeof ADAGRAD_OPTIONS>;

/**
 * Adagrad (Duchi et al.), as `torch.optim.Adagrad`: `sum += g²`, `p -= clr g / (sqrt(sum) + eps)`.
 * As in PyTorch, the state (`step`, `sum`) of every parameter is created by the constructor.
 */
export class Adagrad extends Optimizer<typeof ADAGRAD_OPTIONS> {
  /** The option table (names, PyTorch's defaults, checks). */
  static readonly options: typeof ADAGRAD_OPTIONS = ADAGRAD_OPTIONS;
  /** The order in which PyTorch's `__setstate__` adds the keys a loaded group lacks. */
  static readonly setstateOrder: readonly string[] = ['foreach', 'maximize', 'differentiable', 'fused'];

  /**
   * @param params tensors, `[name, tensor]` pairs, or parameter groups.
   * @param opts options overriding the defaults ({@link ADAGRAD_OPTIONS}): lr 1e-2, lrDecay 0, weightDecay 0,
   *   initialAccumulatorValue 0, eps 1e-10, maximize false.
   * @throws TypeError for an unknown option or a value of the wrong kind; RangeError with PyTorch's message
   *   ("Invalid learning rate: -1", likewise lr_decay, weight_decay, initial_accumulator_value, epsilon),
   *   for differentiable/foreach/fused set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<AdagradOptions>, opts: AdagradOptions = {}) {
    super(params, opts);
    for (const g of this.paramGroups) for (const p of g.params) this.initState(p);
  }

  private initState(p: StateTensor): void {
    const s = this.stateOf(p);
    s.step = this.own(full([], 0, { dtype: getDefaultDtype() }));
    s.sum = this.own(fullLike(p, this.defaults.initialAccumulatorValue));
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
      if (Object.keys(s).length === 0) this.initState(param);
      const stepT = stateTensor(s, 'step', this.name);
      const stateSum = stateTensor(s, 'sum', this.name);
      stepT.add_(1);
      const step = stepT.item();
      let grad = group.maximize ? g0.neg() : g0;
      if (group.weightDecay !== 0) grad = grad.add(param, { alpha: group.weightDecay });
      const clr = group.lr / (1 + (step - 1) * group.lrDecay);
      stateSum.addcmul_(grad, grad, { value: 1 });
      const std = stateSum.sqrt().add_(group.eps);
      param.addcdiv_(grad, std, { value: -clr });
    });
    return loss;
  }
}
