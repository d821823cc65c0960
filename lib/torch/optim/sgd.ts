/** SGD with optional momentum, dampening, Nesterov and weight decay, as `torch.optim.SGD` in PyTorch 1.13. */
import { native, type Handle } from '../native.js';
import { Tensor } from '../tensor.js';
import { wrap } from '../handle.js';
import { checkOptions, describe } from '../errors.js';
import { Optimizer, checkBool, checkNumber, hasGrad, pyNum, type GroupValue, type ParamGroup, type ParamsInput } from './optimizer.js';

/** Options of {@link SGD} (PyTorch's, camelCased). `lr` is required (here or in every group). */
export interface SGDOptions {
  /** Learning rate (required: no default). */
  lr?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0 (default false). */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing (default false). */
  maximize?: boolean;
  /** Accepted for compatibility (default null); the update always runs as one native call per group. */
  foreach?: boolean | null;
  /** Only false is supported (default false). */
  differentiable?: boolean;
}

/** A parameter group of {@link SGD}. */
export interface SGDParamGroup extends ParamGroup {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  foreach: boolean | null;
  differentiable: boolean;
}

const SGD_KEYS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize', 'foreach', 'differentiable'] as const;

function checkSgdGroup(g: Record<string, GroupValue | undefined>): void {
  if (g.lr !== undefined) {
    const lr = checkNumber(g.lr, 'lr');
    if (!(lr >= 0)) throw new RangeError(`Invalid learning rate: ${pyNum(lr)}`);
  }
  const momentum = checkNumber(g.momentum, 'momentum');
  const dampening = checkNumber(g.dampening, 'dampening');
  const wd = checkNumber(g.weightDecay, 'weightDecay');
  if (!(momentum >= 0)) throw new RangeError(`Invalid momentum value: ${pyNum(momentum)}`);
  if (!(wd >= 0)) throw new RangeError(`Invalid weight_decay value: ${pyNum(wd)}`);
  const nesterov = checkBool(g.nesterov, 'nesterov');
  checkBool(g.maximize, 'maximize');
  if (g.foreach !== null && typeof g.foreach !== 'boolean') {
    throw new TypeError(`Expected a boolean or null for foreach but received ${describe(g.foreach)}`);
  }
  if ('differentiable' in g && checkBool(g.differentiable, 'differentiable')) {
    throw new RangeError('SGD: differentiable=true is not supported (the update runs natively, one call per group)');
  }
  if (nesterov && (momentum <= 0 || dampening !== 0)) throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
}

/**
 * Stochastic gradient descent, as `torch.optim.SGD` (PyTorch 1.13): with
 * momentum `buf = momentum * buf + (1 - dampening) * g` (the first buffer is
 * the gradient itself), Nesterov `g + momentum * buf`, then `p -= lr * d`.
 * With maximize the gradient is negated first. State per parameter with a
 * gradient: `momentumBuffer` (null without momentum).
 */
export class SGD extends Optimizer<SGDParamGroup, SGDOptions> {
  /**
   * @param params tensors or parameter groups (`{params, lr?, momentum?, ...}`).
   * @param opts lr (required, here or in every group); defaults: momentum 0, dampening 0,
   *   weightDecay 0, nesterov false, maximize false, foreach null, differentiable false.
   * @throws TypeError for an unknown option, a value of the wrong kind or a group without lr;
   *   RangeError "Invalid learning rate: -1" (and likewise for momentum, weight_decay),
   *   "Nesterov momentum requires a momentum and zero dampening", for differentiable set to true,
   *   and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<SGDOptions>, opts: SGDOptions = {}) {
    checkOptions(opts, SGD_KEYS, 'SGD');
    const defaults: Record<string, GroupValue | undefined> = {
      lr: opts.lr,
      momentum: opts.momentum ?? 0,
      dampening: opts.dampening ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      nesterov: opts.nesterov ?? false,
      maximize: opts.maximize ?? false,
      foreach: opts.foreach ?? null,
      differentiable: opts.differentiable ?? false,
    };
    checkSgdGroup(defaults);
    super('SGD', params as ParamsInput<object>, defaults, ['lr']);
  }

  protected checkGroup(group: Record<string, GroupValue | undefined>): void {
    checkSgdGroup(group);
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
        const b = this.state.get(p)?.momentumBuffer;
        bufs.push(b instanceof Tensor ? b._h : null);
      }
      if (params.length === 0) continue;
      // One native call for the group (PyTorch 1.13's single-tensor SGD).
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
      params.forEach((p, i) => {
        const s = this.stateOf(p);
        const h = out[i];
        if (h === null) {
          // No momentum: PyTorch stores back the buffer it had (None if never created).
          if (!('momentumBuffer' in s)) s.momentumBuffer = null;
        } else if (h !== bufs[i]) {
          s.momentumBuffer = this.own(wrap<Tensor>(h));
        }
      });
    }
    return loss;
  }
}
