/** Rprop, as `torch.optim.Rprop` in PyTorch 2.x (its single-tensor algorithm, in TypeScript with in-place ops). */
import { full, fullLike, zerosLike } from '../creation.js';
import { getDefaultDtype } from '../dtype.js';
import { Optimizer, type ParamGroupOf, type ParamsInput } from './optimizer.js';
import { etaPair, falseOrNullSingle, flag, nonNegative, numberPair, onlyFalseSingle, option, type OptionsOf } from './options.js';
import { forEachGrad, scalarStateValue, stateTensor } from './each-grad.js';
import type { Tensor as StateTensor } from '../tensor.js';
import type { PyValue } from '../py-value.js';

/** Rprop's options: PyTorch 2.x's names (camelCased), order and defaults. */
export const RPROP_OPTIONS = {
  /** Learning rate: the initial step size of every element. */
  lr: option(1e-2, nonNegative('learning rate')),
  /** [etaminus, etaplus]: the factors by which the step size shrinks and grows (0 < etaminus < 1 < etaplus). */
  etas: option<[number, number]>([0.5, 1.2], etaPair, { tuple: true }),
  /** [min, max] of the step size. */
  stepSizes: option<[number, number]>([1e-6, 50], numberPair, { tuple: true, keepInts: true }),
  /** null (default) or false: the single-tensor algorithm, which PyTorch also runs on CPU for null. */
  foreach: option<boolean | null>(null, falseOrNullSingle, { addedLater: true }),
  /** Maximize the objective instead of minimizing. */
  maximize: option(false, flag, { addedLater: true }),
  /** Only false is supported. */
  differentiable: option(false, onlyFalseSingle, { addedLater: true }),
  /** Only false is supported. */
  capturable: option(false, onlyFalseSingle, { addedLater: true }),
};

/** Options of {@link Rprop}. */
export type RpropOptions = OptionsOf<typeof RPROP_OPTIONS>;
/** A parameter group of {@link Rprop}. */
export type RpropParamGroup = ParamGroupOf<typeof RPROP_OPTIONS>;

/**
 * Resilient backpropagation, as `torch.optim.Rprop`: each element's step size grows while its
 * gradient keeps its sign and shrinks when it flips. State per parameter with a gradient: `step`,
 * `prev`, `stepSize`.
 */
export class Rprop extends Optimizer<typeof RPROP_OPTIONS> {
  /** The option table (names, PyTorch's defaults, checks). */
  static readonly options: typeof RPROP_OPTIONS = RPROP_OPTIONS;
  /** The order in which PyTorch's `__setstate__` adds the keys a loaded group lacks. */
  static readonly setstateOrder: readonly string[] = ['foreach', 'maximize', 'differentiable', 'capturable'];

  /**
   * @param params tensors, `[name, tensor]` pairs, or parameter groups.
   * @param opts options overriding the defaults ({@link RPROP_OPTIONS}): lr 1e-2, etas [0.5, 1.2],
   *   stepSizes [1e-6, 50], maximize false.
   * @throws TypeError for an unknown option or a value of the wrong kind; RangeError with PyTorch's message
   *   ("Invalid learning rate: -1", "Invalid eta values: 1.5, 1.2"), for capturable/differentiable/foreach
   *   set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<RpropOptions>, opts: RpropOptions = {}) {
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
        s.prev = this.own(zerosLike(param));
        s.stepSize = this.own(fullLike(g0, group.lr));
      }
      const [etaminus, etaplus] = group.etas;
      const [stepSizeMin, stepSizeMax] = group.stepSizes;
      const grad0 = group.maximize ? g0.neg() : g0;
      const prev = stateTensor(s, 'prev', this.name);
      const stepSize = stateTensor(s, 'stepSize', this.name);
      stateTensor(s, 'step', this.name).add_(1);
      const sign = grad0.mul(prev).sign();
      sign.maskedFill_(sign.gt(0), etaplus);
      sign.maskedFill_(sign.lt(0), etaminus);
      sign.maskedFill_(sign.eq(0), 1);
      stepSize.mul_(sign).clamp_(stepSizeMin, stepSizeMax);
      const grad = grad0.clone();
      grad.maskedFill_(sign.eq(etaminus), 0);
      param.addcmul_(grad.sign(), stepSize, { value: -1 });
      prev.copy_(grad);
    });
    return loss;
  }
}
