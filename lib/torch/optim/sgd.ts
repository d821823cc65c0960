/** SGD with optional momentum, dampening, Nesterov and weight decay, as `torch.optim.SGD` in PyTorch 2.x. */
import { native, type Handle } from '../native.js';
import { Tensor } from '../tensor.js';
import { wrap } from '../handle.js';
import { Optimizer, hasGrad, type ParamGroupOf, type ParamsInput } from './optimizer.js';
import { falseOrNull, flag, flagOrNull, nonNegative, number, onlyFalse, option, type OptionsOf, type OptionValues } from './options.js';

/**
 * SGD's options: PyTorch 2.x's names (camelCased), order and defaults. Loaded groups
 * without an `addedLater` key take its default (`fused`: false), as PyTorch's `SGD.__setstate__`.
 */
export const SGD_OPTIONS = {
  /** Learning rate. */
  lr: option(1e-3, nonNegative('learning rate')),
  /** Momentum factor. */
  momentum: option(0, nonNegative('momentum value')),
  /** Dampening of the momentum. */
  dampening: option(0, number),
  /** L2 penalty added to the gradient. */
  weightDecay: option(0, nonNegative('weight_decay value')),
  /** Nesterov momentum; needs momentum > 0 and dampening 0. */
  nesterov: option(false, flag, { addedLater: true }),
  /** Maximize the objective instead of minimizing. */
  maximize: option(false, flag, { addedLater: true }),
  /** Accepted for compatibility (null lets PyTorch choose); the update always runs as one native call per group. */
  foreach: option<boolean | null>(null, flagOrNull, { addedLater: true }),
  /** Only false is supported. */
  differentiable: option(false, onlyFalse, { addedLater: true }),
  /** Only false or null is supported. */
  fused: option<boolean | null>(null, falseOrNull, { addedLater: true, whenMissing: false }),
};

/** Options of {@link SGD}: each of {@link SGD_OPTIONS}, optional. */
export type SGDOptions = OptionsOf<typeof SGD_OPTIONS>;

/** A parameter group of {@link SGD}. */
export type SGDParamGroup = ParamGroupOf<typeof SGD_OPTIONS>;

/**
 * Stochastic gradient descent, as `torch.optim.SGD` (PyTorch 2.x): with
 * momentum `buf = momentum * buf + (1 - dampening) * g` (the first buffer is
 * the gradient itself), Nesterov `g + momentum * buf`, then `p -= lr * d`.
 * With maximize the gradient is negated first. State per parameter with a
 * gradient, only while the group has momentum: `momentumBuffer`.
 */
export class SGD extends Optimizer<typeof SGD_OPTIONS> {
  /** The option table (names, PyTorch's defaults, checks). */
  static readonly options: typeof SGD_OPTIONS = SGD_OPTIONS;

  /**
   * @param params tensors, `[name, tensor]` pairs, or parameter groups (`{params, lr?, momentum?, ...}`).
   * @param opts options overriding the defaults: each option, its default (PyTorch's) and its check are
   *   declared in {@link SGD_OPTIONS} (also `SGD.options`).
   * @throws TypeError for an unknown option or a value of the wrong kind;
   *   RangeError "Invalid learning rate: -1" (and likewise for momentum, weight_decay),
   *   "Nesterov momentum requires a momentum and zero dampening", for differentiable/fused set to true,
   *   and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<SGDOptions>, opts: SGDOptions = {}) {
    super(params, opts);
  }

  /** @throws RangeError "Nesterov momentum requires a momentum and zero dampening". */
  protected override checkGroup(g: OptionValues<typeof SGD_OPTIONS>): void {
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
  }

  /**
   * One SGD step for every parameter that has a gradient (others are skipped).
   * @param closure re-evaluates the loss (run with gradients enabled); its result is returned.
   */
  step<L = unknown>(closure?: () => L): L | undefined {
    const loss = this.runClosure(closure);
    for (const g of this.paramGroups) {
      const params: Tensor[] = [];
      const bufs: (Handle | null)[] = [];
      for (const p of g.params) {
        if (!hasGrad(p)) continue;
        params.push(p);
        const b = g.momentum !== 0 ? this.state.get(p)?.momentumBuffer : undefined;
        bufs.push(b instanceof Tensor ? b._h : null);
      }
      if (params.length === 0) continue;
      // One native call for the group (PyTorch's single-tensor SGD).
      const out = native.sgdStep(
        params.map((p) => p._h),
        bufs,
        {
          lr: g.lr,
          momentum: g.momentum,
          dampening: g.dampening,
          weightDecay: g.weightDecay,
          nesterov: g.nesterov,
          maximize: g.maximize,
        },
      );
      // Without momentum PyTorch 2.x keeps no state; with it, the (new) buffer is stored.
      if (g.momentum === 0) continue;
      params.forEach((p, i) => {
        const h = out[i];
        if (h !== null && h !== bufs[i]) this.stateOf(p).momentumBuffer = this.own(wrap<Tensor>(h));
      });
    }
    return loss;
  }
}
