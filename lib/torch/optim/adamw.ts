/** AdamW (decoupled weight decay), as `torch.optim.AdamW` in PyTorch 1.13. */
import type { Tensor } from '../tensor.js';
import { checkOptions } from '../errors.js';
import type { PyValue } from '../serialization/pickle.js';
import { Optimizer, type GroupValue, type ParamGroup, type ParamsInput } from './optimizer.js';
import { adamLoadStateValue, adamStep, checkAdamGroup } from './adam.js';

/** Options of {@link AdamW} (PyTorch's, camelCased). */
export interface AdamWOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas?: readonly [number, number] | number[];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Decoupled weight decay: each step multiplies parameters by `1 - lr * weightDecay` (default 1e-2). */
  weightDecay?: number;
  /** Use the AMSGrad variant (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
  /** Accepted for compatibility (default null); the update always runs as one native call per group. */
  foreach?: boolean | null;
  /** Only false is supported (default false). */
  capturable?: boolean;
}

/** A parameter group of {@link AdamW} (PyTorch 1.13's keys: no differentiable/fused). */
export interface AdamWParamGroup extends ParamGroup {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  foreach: boolean | null;
  maximize: boolean;
  capturable: boolean;
}

const ADAMW_KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'foreach', 'maximize', 'capturable'] as const;

/**
 * AdamW (Loshchilov & Hutter): Adam with weight decay applied to the
 * parameters (`p *= 1 - lr * weightDecay`) instead of the gradient.
 * State as {@link Adam}'s.
 */
export class AdamW extends Optimizer<AdamWParamGroup, AdamWOptions> {
  /**
   * @param params tensors or parameter groups (`{params, lr?, weightDecay?, ...}`).
   * @param opts defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2, amsgrad false,
   *   maximize false, foreach null, capturable false.
   * @throws TypeError for an unknown option or a value of the wrong kind;
   *   RangeError "Invalid learning rate: -1" (and likewise for eps, betas, weight_decay),
   *   for capturable set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<AdamWOptions>, opts: AdamWOptions = {}) {
    checkOptions(opts, ADAMW_KEYS, 'AdamW');
    const defaults: Record<string, GroupValue | undefined> = {
      lr: opts.lr ?? 1e-3,
      betas: opts.betas === undefined ? [0.9, 0.999] : [...opts.betas],
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 1e-2,
      amsgrad: opts.amsgrad ?? false,
      foreach: opts.foreach ?? null,
      maximize: opts.maximize ?? false,
      capturable: opts.capturable ?? false,
    };
    checkAdamGroup(defaults, 'AdamW');
    super('AdamW', params as ParamsInput<object>, defaults);
  }

  protected checkGroup(group: Record<string, GroupValue | undefined>): void {
    checkAdamGroup(group, 'AdamW');
  }

  protected override loadStateValue(key: string, v: PyValue<Tensor>): Tensor | null {
    return adamLoadStateValue(key, v);
  }

  /**
   * One AdamW step for every parameter that has a gradient (others are skipped).
   * @param closure re-evaluates the loss (run with gradients enabled); its result is returned.
   * @throws Error when amsgrad was turned on for a parameter whose state has no maxExpAvgSq.
   */
  step<L = unknown>(closure?: () => L): L | undefined {
    const loss = this.runClosure(closure);
    adamStep(this.paramGroups, (p) => this.stateOf(p), (t) => this.own(t), true, 'AdamW');
    return loss;
  }
}
