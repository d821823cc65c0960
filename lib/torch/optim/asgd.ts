/** ASGD, as `torch.optim.ASGD` in PyTorch 2.x (its single-tensor algorithm, in TypeScript with in-place ops). */
import { full, zerosLike } from '../creation.js';
import { getDefaultDtype } from '../dtype.js';
import { Optimizer, type ParamGroupOf, type ParamsInput } from './optimizer.js';
import { falseOrNullSingle, flag, nonNegative, number, onlyFalseSingle, option, type OptionsOf } from './options.js';
import { forEachGrad, scalarStateValue, stateTensor } from './each-grad.js';
import type { Tensor as StateTensor } from '../tensor.js';
import type { PyValue } from '../py-value.js';

/** ASGD's options: PyTorch 2.x's names (camelCased), order and defaults. */
export const ASGD_OPTIONS = {
  /** Learning rate. */
  lr: option(1e-2, nonNegative('learning rate')),
  /** Decay term. */
  lambd: option(1e-4, number),
  /** Power of the eta update. */
  alpha: option(0.75, number),
  /** The step at which averaging starts (a Python float). */
  t0: option(1e6, number, { float: true }),
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

/** Options of {@link ASGD}. */
export type ASGDOptions = OptionsOf<typeof ASGD_OPTIONS>;
/** A parameter group of {@link ASGD}. */
export type ASGDParamGroup = ParamGroupOf<typeof ASGD_OPTIONS>;

/**
 * Averaged SGD (Polyak & Juditsky), as `torch.optim.ASGD`. State per parameter with a gradient:
 * `step`, `eta`, `mu` (0-dim) and `ax` (the average).
 */
export class ASGD extends Optimizer<typeof ASGD_OPTIONS> {
  /** The option table (names, PyTorch's defaults, checks). */
  static readonly options: typeof ASGD_OPTIONS = ASGD_OPTIONS;
  /** The order in which PyTorch's `__setstate__` adds the keys a loaded group lacks. */
  static readonly setstateOrder: readonly string[] = ['foreach', 'maximize', 'differentiable', 'capturable'];

  /**
   * @param params tensors, `[name, tensor]` pairs, or parameter groups.
   * @param opts options overriding the defaults ({@link ASGD_OPTIONS}): lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6,
   *   weightDecay 0, maximize false.
   * @throws TypeError for an unknown option or a value of the wrong kind; RangeError with PyTorch's message
   *   ("Invalid learning rate: -1", "Invalid weight_decay value: -1"), for capturable/differentiable/foreach
   *   set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<ASGDOptions>, opts: ASGDOptions = {}) {
    super(params, opts);
  }

  /** A number saved for [`step`, `eta`, `mu`] (older PyTorch layouts) becomes a 0-dim tensor of the default dtype, as PyTorch's `__setstate__`. */
  protected override loadStateValue(key: string, v: PyValue<StateTensor>): StateTensor | null {
    return scalarStateValue(key, v, ['step', 'eta', 'mu']);
  }

  /**
   * One step for every parameter that has a gradient.
   * @param closure re-evaluates the loss (run with gradients enabled); its result is returned.
   */
  step<L = unknown>(closure?: () => L): L | undefined {
    const loss = this.runClosure(closure);
    forEachGrad(this.paramGroups, (param, g0, group) => {
      const s = this.stateOf(param);
      const dtype = getDefaultDtype();
      if (Object.keys(s).length === 0) {
        // On the parameter's device, as PyTorch's ASGD.
        s.step = this.own(full([], 0, { dtype, device: param.device }));
        s.eta = this.own(full([], group.lr, { dtype, device: param.device }));
        s.mu = this.own(full([], 1, { dtype, device: param.device }));
        s.ax = this.own(zerosLike(param));
      }
      const { lr, lambd, alpha, t0 } = group;
      let grad = group.maximize ? g0.neg() : g0;
      const mu = stateTensor(s, 'mu', this.name);
      const ax = stateTensor(s, 'ax', this.name);
      const eta = stateTensor(s, 'eta', this.name);
      const stepT = stateTensor(s, 'step', this.name);
      stepT.add_(1);
      if (group.weightDecay !== 0) grad = grad.add(param, { alpha: group.weightDecay });
      const etaValue = eta.item();
      param.mul_(1 - lambd * etaValue);
      param.add_(grad, { alpha: -etaValue });
      if (mu.item() !== 1) ax.add_(param.sub(ax).mul_(mu));
      else ax.copy_(param);
      const step = stepT.item();
      eta.fill_(lr / (1 + lambd * lr * step) ** alpha);
      mu.fill_(1 / Math.max(1, step - t0));
    });
    return loss;
  }
}
