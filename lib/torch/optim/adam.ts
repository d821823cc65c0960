/**
 * Adam (PyTorch 1.13's single-tensor algorithm, run natively per group).
 * The shared Adam/AdamW machinery lives here; AdamW is in adamw.ts.
 */
import { native, type Handle } from '../native.js';
import { Tensor } from '../tensor.js';
import { zeros, zerosLike } from '../creation.js';
import { checkOptions, describe } from '../errors.js';
import type { PyValue } from '../serialization/pickle.js';
import {
  Optimizer,
  checkBool,
  checkNumber,
  hasGrad,
  pyNum,
  type GroupValue,
  type ParamGroup,
  type ParamsInput,
  type ParamState,
} from './optimizer.js';

/** Options of {@link Adam} (PyTorch's, camelCased). */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas?: readonly [number, number] | number[];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Use the AMSGrad variant (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
  /** Accepted for compatibility (default null); the update always runs as one native call per group. */
  foreach?: boolean | null;
  /** Only false is supported (default false). */
  capturable?: boolean;
  /** Only false is supported (default false). */
  differentiable?: boolean;
  /** Only false (or null) is supported (default false). */
  fused?: boolean | null;
}

/** A parameter group of {@link Adam}. */
export interface AdamParamGroup extends ParamGroup {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  foreach: boolean | null;
  capturable: boolean;
  differentiable: boolean;
  fused: boolean | null;
}

/**
 * Validates Adam/AdamW hyperparameters with PyTorch's messages.
 * @internal
 */
export function checkAdamGroup(g: Record<string, GroupValue | undefined>, name: string): void {
  const lr = checkNumber(g.lr, 'lr');
  const eps = checkNumber(g.eps, 'eps');
  const betas = g.betas;
  if (!Array.isArray(betas) || betas.length !== 2 || typeof betas[0] !== 'number' || typeof betas[1] !== 'number') {
    throw new TypeError(`Expected an array of two numbers for betas but received ${describe(betas)}`);
  }
  const wd = checkNumber(g.weightDecay, 'weightDecay');
  if (!(lr >= 0)) throw new RangeError(`Invalid learning rate: ${pyNum(lr)}`);
  if (!(eps >= 0)) throw new RangeError(`Invalid epsilon value: ${pyNum(eps)}`);
  if (!(betas[0] >= 0 && betas[0] < 1)) throw new RangeError(`Invalid beta parameter at index 0: ${pyNum(betas[0])}`);
  if (!(betas[1] >= 0 && betas[1] < 1)) throw new RangeError(`Invalid beta parameter at index 1: ${pyNum(betas[1])}`);
  if (!(wd >= 0)) throw new RangeError(`Invalid weight_decay value: ${pyNum(wd)}`);
  checkBool(g.amsgrad, 'amsgrad');
  checkBool(g.maximize, 'maximize');
  if (g.foreach !== null && typeof g.foreach !== 'boolean') {
    throw new TypeError(`Expected a boolean or null for foreach but received ${describe(g.foreach)}`);
  }
  for (const k of ['capturable', 'differentiable', 'fused']) {
    if (!(k in g)) continue;
    const v = g[k];
    if (k === 'fused' && v === null) continue;
    if (checkBool(v, k)) throw new RangeError(`${name}: ${k}=true is not supported (the update runs natively, one call per group)`);
  }
}

/**
 * Converts an old-format integer `step` of a loaded Adam state to a tensor.
 * @internal
 */
export function adamLoadStateValue(key: string, v: PyValue<Tensor>): Tensor | null {
  if (key === 'step' && typeof v === 'number') {
    const t = zeros([], { dtype: 'float32' });
    t.fill_(v);
    return t;
  }
  if (v === null) return null;
  throw new TypeError(`Expected a Tensor for state '${key}' but received ${describe(v)}`);
}

type AdamLikeGroup = ParamGroup & {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
};

function need(s: ParamState, key: string, idx: number, name: string): Handle {
  const t = s[key];
  if (!(t instanceof Tensor)) {
    throw new Error(
      `${name}: the state of parameter ${idx} of its group has no '${key}'` +
        (key === 'maxExpAvgSq' ? ' (amsgrad was turned on after the state was created)' : ''),
    );
  }
  return t._h;
}

/**
 * One Adam/AdamW step over every group: lazily creates the state of parameters
 * with a gradient, then updates each group in one native call.
 * @internal
 */
export function adamStep(
  groups: readonly AdamLikeGroup[],
  stateOf: (p: Tensor) => ParamState,
  own: (t: Tensor) => Tensor,
  decoupled: boolean,
  name: string,
): void {
  for (const g of groups) {
    const params: Handle[] = [];
    const expAvgs: Handle[] = [];
    const expAvgSqs: Handle[] = [];
    const maxExpAvgSqs: Handle[] = [];
    const steps: Handle[] = [];
    g.params.forEach((p, i) => {
      if (!hasGrad(p)) return;
      const s = stateOf(p);
      if (Object.keys(s).length === 0) {
        s.step = own(zeros([], { dtype: 'float32' }));
        s.expAvg = own(zerosLike(p));
        s.expAvgSq = own(zerosLike(p));
        if (g.amsgrad) s.maxExpAvgSq = own(zerosLike(p));
      }
      params.push(p._h);
      steps.push(need(s, 'step', i, name));
      expAvgs.push(need(s, 'expAvg', i, name));
      expAvgSqs.push(need(s, 'expAvgSq', i, name));
      if (g.amsgrad) maxExpAvgSqs.push(need(s, 'maxExpAvgSq', i, name));
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
      decoupled,
    });
  }
}

const ADAM_KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize', 'foreach', 'capturable', 'differentiable', 'fused'] as const;

/**
 * Adam (Kingma & Ba), as `torch.optim.Adam` in PyTorch 1.13: L2 weight decay
 * added to the gradient, optional AMSGrad and maximize. State per parameter:
 * `step` (0-dim float32), `expAvg`, `expAvgSq` (+ `maxExpAvgSq` with amsgrad).
 *
 *   const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-4 });
 *   opt.zeroGrad(); loss.backward(); opt.step();
 */
export class Adam extends Optimizer<AdamParamGroup, AdamOptions> {
  /**
   * @param params tensors or parameter groups (`{params, lr?, betas?, ...}`).
   * @param opts defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0, amsgrad false,
   *   maximize false, foreach null, capturable false, differentiable false, fused false.
   * @throws TypeError for an unknown option or a value of the wrong kind;
   *   RangeError "Invalid learning rate: -1" (and likewise for eps, betas, weight_decay),
   *   for capturable/differentiable/fused set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<AdamOptions>, opts: AdamOptions = {}) {
    checkOptions(opts, ADAM_KEYS, 'Adam');
    const defaults: Record<string, GroupValue | undefined> = {
      lr: opts.lr ?? 1e-3,
      betas: opts.betas === undefined ? [0.9, 0.999] : [...opts.betas],
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      amsgrad: opts.amsgrad ?? false,
      maximize: opts.maximize ?? false,
      foreach: opts.foreach ?? null,
      capturable: opts.capturable ?? false,
      differentiable: opts.differentiable ?? false,
      fused: opts.fused === undefined ? false : opts.fused,
    };
    checkAdamGroup(defaults, 'Adam');
    super('Adam', params as ParamsInput<object>, defaults);
  }

  protected checkGroup(group: Record<string, GroupValue | undefined>): void {
    checkAdamGroup(group, 'Adam');
  }

  protected override loadStateValue(key: string, v: PyValue<Tensor>): Tensor | null {
    return adamLoadStateValue(key, v);
  }

  /**
   * One Adam step for every parameter that has a gradient (others are skipped).
   * @param closure re-evaluates the loss (run with gradients enabled); its result is returned.
   * @throws Error when amsgrad was turned on for a parameter whose state has no maxExpAvgSq.
   */
  step<L = unknown>(closure?: () => L): L | undefined {
    const loss = this.runClosure(closure);
    adamStep(this.paramGroups, (p) => this.stateOf(p), (t) => this.own(t), false, 'Adam');
    return loss;
  }
}
