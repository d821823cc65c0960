/**
 * Adam, as `torch.optim.Adam` in PyTorch 2.x (its single-tensor algorithm,
 * run natively per group). With `decoupledWeightDecay` it is AdamW, which
 * (as in PyTorch) is this class with that option fixed to true: adamw.ts.
 */
import { native, type Handle } from '../native.js';
import { Tensor } from '../tensor.js';
import { full, zerosLike } from '../creation.js';
import { getDefaultDtype } from '../dtype.js';
import { describe } from '../errors.js';
import type { PyValue } from '../py-value.js';
import { Optimizer, hasGrad, toSnake, type ParamGroupOf, type ParamsInput, type ParamState } from './optimizer.js';
import { betaPair, falseOrNull, flag, flagOrNull, nonNegative, onlyFalse, option, type OptionsOf } from './options.js';

/**
 * Adam's options: PyTorch 2.x's names (camelCased), order and defaults. Loaded groups
 * without an `addedLater` key take its default, as PyTorch's `Adam.__setstate__`.
 */
export const ADAM_OPTIONS = {
  /** Learning rate. */
  lr: option(1e-3, nonNegative('learning rate')),
  /** Coefficients of the running averages of the gradient and of its square. */
  betas: option<[number, number]>([0.9, 0.999], betaPair, { tuple: true }),
  /** Added to the denominator for numerical stability. */
  eps: option(1e-8, nonNegative('epsilon value')),
  /** Weight decay: an L2 penalty added to the gradient, or with `decoupledWeightDecay` a shrink of the parameters (`p *= 1 - lr * weightDecay`). */
  weightDecay: option(0, nonNegative('weight_decay value')),
  /** Use the AMSGrad variant. */
  amsgrad: option(false, flag, { addedLater: true }),
  /** Maximize the objective instead of minimizing. */
  maximize: option(false, flag, { addedLater: true }),
  /** Accepted for compatibility (null lets PyTorch choose); the update always runs as one native call per group. */
  foreach: option<boolean | null>(null, flagOrNull, { addedLater: true }),
  /** Only false is supported. */
  capturable: option(false, onlyFalse, { addedLater: true }),
  /** Only false is supported. */
  differentiable: option(false, onlyFalse, { addedLater: true }),
  /** Only false or null is supported. */
  fused: option<boolean | null>(null, falseOrNull, { addedLater: true, fillLast: true }),
  /** Decay the parameters instead of adding the penalty to the gradient (AdamW). */
  decoupledWeightDecay: option(false, flag, { addedLater: true }),
};

/** Options of {@link Adam}: each of {@link ADAM_OPTIONS}, optional. */
export type AdamOptions = OptionsOf<typeof ADAM_OPTIONS>;

/** A parameter group of {@link Adam} (and {@link AdamW}). */
export type AdamParamGroup = ParamGroupOf<typeof ADAM_OPTIONS>;

function need(s: ParamState, key: string, idx: number, name: string): Handle {
  const t = s[key];
  if (!(t instanceof Tensor)) {
    throw new Error(
      `${name}: the state of parameter ${idx} of its group has no '${toSnake(key)}'` +
        (key === 'maxExpAvgSq' ? ' (amsgrad was turned on after the state was created)' : ''),
    );
  }
  return t._h;
}

/**
 * Adam (Kingma & Ba), as `torch.optim.Adam` in PyTorch 2.x: L2 weight decay
 * added to the gradient (or decoupled, as AdamW), optional AMSGrad and
 * maximize. State per parameter with a gradient: `step` (0-dim, the default
 * dtype), `expAvg`, `expAvgSq` (+ `maxExpAvgSq` with amsgrad).
 *
 *   const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-4 });
 *   opt.zeroGrad(); loss.backward(); opt.step();
 */
export class Adam extends Optimizer<typeof ADAM_OPTIONS> {
  /** The option table (names, PyTorch's defaults, checks). */
  static readonly options: typeof ADAM_OPTIONS = ADAM_OPTIONS;

  /**
   * @param params tensors, `[name, tensor]` pairs, or parameter groups (`{params, lr?, betas?, ...}`).
   * @param opts options overriding the defaults: each option, its default (PyTorch's) and its check are
   *   declared in {@link ADAM_OPTIONS} (also `Adam.options`).
   * @throws TypeError for an unknown option or a value of the wrong kind;
   *   RangeError "Invalid learning rate: -1" (and likewise for eps, betas, weight_decay),
   *   for capturable/differentiable/fused set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<AdamOptions>, opts: AdamOptions = {}) {
    super(params, opts);
  }

  /** An integer `step` (PyTorch < 1.12 layouts) becomes a 0-dim tensor of the default dtype, as `Adam.__setstate__`. */
  protected override loadStateValue(key: string, v: PyValue<Tensor>): Tensor | null {
    if (key === 'step' && typeof v === 'number') return full([], v, { dtype: getDefaultDtype() });
    if (v === null) return null;
    throw new TypeError(`Expected a Tensor for state '${toSnake(key)}' but received ${describe(v)}`);
  }

  /**
   * One step for every parameter that has a gradient (others are skipped and get no state).
   * @param closure re-evaluates the loss (run with gradients enabled); its result is returned.
   * @throws Error when amsgrad was turned on for a parameter whose state has no maxExpAvgSq.
   */
  step<L = unknown>(closure?: () => L): L | undefined {
    const loss = this.runClosure(closure);
    for (const g of this.paramGroups) {
      const params: Handle[] = [];
      const expAvgs: Handle[] = [];
      const expAvgSqs: Handle[] = [];
      const maxExpAvgSqs: Handle[] = [];
      const steps: Handle[] = [];
      g.params.forEach((p, i) => {
        if (!hasGrad(p)) return;
        const s = this.stateOf(p);
        if (Object.keys(s).length === 0) {
          s.step = this.own(full([], 0, { dtype: getDefaultDtype() }));
          s.expAvg = this.own(zerosLike(p));
          s.expAvgSq = this.own(zerosLike(p));
          if (g.amsgrad) s.maxExpAvgSq = this.own(zerosLike(p));
        }
        params.push(p._h);
        steps.push(need(s, 'step', i, this.name));
        expAvgs.push(need(s, 'expAvg', i, this.name));
        expAvgSqs.push(need(s, 'expAvgSq', i, this.name));
        if (g.amsgrad) maxExpAvgSqs.push(need(s, 'maxExpAvgSq', i, this.name));
      });
      if (params.length === 0) continue;
      native.adamStep(params, expAvgs, expAvgSqs, maxExpAvgSqs, steps, {
        lr: g.lr,
        beta1: g.betas[0],
        beta2: g.betas[1],
        eps: g.eps,
        weightDecay: g.weightDecay,
        amsgrad: g.amsgrad,
        maximize: g.maximize,
        decoupled: g.decoupledWeightDecay,
      });
    }
    return loss;
  }
}
