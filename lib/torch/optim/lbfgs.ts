/**
 * L-BFGS, as `torch.optim.LBFGS` in PyTorch 2.x, in TypeScript: the same
 * iteration, history and strong-Wolfe line search, with PyTorch's mix of
 * Python floats (double) and 0-dim float32 tensors reproduced (see
 * {@link Num}), so trajectories match Python's.
 */
import { Tensor } from '../tensor.js';
import { keep, tidy } from '../scope.js';
import { enableGrad, noGrad } from '../autograd.js';
import { tensor, zeros } from '../creation.js';
import { cat } from '../generated/torch.js';
import { describe } from '../errors.js';
import { PyFloat, type PyValue } from '../py-value.js';
import { Optimizer, type OptimizerStateDict, type OptimizerStateDictInput, type ParamGroupOf, type ParamsInput } from './optimizer.js';
import { nonNegative, number, option, positiveInt, type OptionsOf } from './options.js';

/** 'strong_wolfe' or null. @throws TypeError otherwise; RangeError for another string (PyTorch: "only 'strong_wolfe' is supported"). */
function lineSearch(v: unknown, name: string): 'strong_wolfe' | null {
  if (v === null) return null;
  if (typeof v !== 'string') throw new TypeError(`Expected 'strong_wolfe' or null for ${name} but received ${describe(v)}`);
  if (v !== 'strong_wolfe') throw new RangeError("only 'strong_wolfe' is supported");
  return v;
}

function intOrNull(v: unknown, name: string): number | null {
  return v === null ? null : positiveInt(v, name);
}

/** LBFGS's options: PyTorch 2.x's names (camelCased), order and defaults. */
export const LBFGS_OPTIONS = {
  /** Learning rate (a Python int 1 by default, as PyTorch). */
  lr: option(1, nonNegative('learning rate')),
  /** Iterations per `step()`. */
  maxIter: option(20, positiveInt),
  /** Function evaluations per `step()` (null: maxIter * 5 / 4, rounded down, as PyTorch sets at construction). */
  maxEval: option<number | null>(null, intOrNull),
  /** Stop when the largest gradient element is at most this. */
  toleranceGrad: option(1e-7, number),
  /** Stop when the function value or the parameters change by less than this. */
  toleranceChange: option(1e-9, number),
  /** Number of updates kept. */
  historySize: option(100, positiveInt),
  /** null (fixed step `lr`) or 'strong_wolfe'. */
  lineSearchFn: option<'strong_wolfe' | null>(null, lineSearch),
};

/** Options of {@link LBFGS}. */
export type LBFGSOptions = OptionsOf<typeof LBFGS_OPTIONS>;
/** The parameter group of {@link LBFGS}. */
export type LBFGSParamGroup = ParamGroupOf<typeof LBFGS_OPTIONS>;

/**
 * A scalar of PyTorch's LBFGS: a Python float (double arithmetic) or a 0-dim float32 tensor.
 * Arithmetic with a float32 operand rounds both operands and the result to float32, as a
 * float32 tensor op with a Python scalar does; comparisons likewise.
 */
interface Num {
  v: number;
  f32: boolean;
}

const f = Math.fround;
const py = (v: number): Num => ({ v, f32: false });
const t32 = (v: number): Num => ({ v: f(v), f32: true });
function op(a: Num, b: Num, fn: (x: number, y: number) => number): Num {
  return a.f32 || b.f32 ? t32(fn(f(a.v), f(b.v))) : py(fn(a.v, b.v));
}
const add = (a: Num, b: Num) => op(a, b, (x, y) => x + y);
const sub = (a: Num, b: Num) => op(a, b, (x, y) => x - y);
const mul = (a: Num, b: Num) => op(a, b, (x, y) => x * y);
const div = (a: Num, b: Num) => op(a, b, (x, y) => x / y);
function cmp(a: Num, b: Num): [number, number] {
  return a.f32 || b.f32 ? [f(a.v), f(b.v)] : [a.v, b.v];
}
const gt = (a: Num, b: Num) => ((x, y) => x > y)(...cmp(a, b));
const ge = (a: Num, b: Num) => ((x, y) => x >= y)(...cmp(a, b));
const lt = (a: Num, b: Num) => ((x, y) => x < y)(...cmp(a, b));
const le = (a: Num, b: Num) => ((x, y) => x <= y)(...cmp(a, b));
const abs = (a: Num): Num => ({ v: Math.abs(a.v), f32: a.f32 });
/** Python's `max(a, b)`: a unless b > a. */
const max2 = (a: Num, b: Num) => (gt(b, a) ? b : a);
/** Python's `min(a, b)`: a unless b < a. */
const min2 = (a: Num, b: Num) => (lt(b, a) ? b : a);
const maxOf = (xs: Num[]) => xs.reduce((m, x) => max2(m, x));
const minOf = (xs: Num[]) => xs.reduce((m, x) => min2(m, x));
/** A 0-dim float32 tensor's value. */
const item = (t: Tensor): Num => t32(t.item());

/** PyTorch's `_cubic_interpolate`. */
function cubicInterpolate(x1: Num, f1: Num, g1: Num, x2: Num, f2: Num, g2: Num, bounds?: [Num, Num]): Num {
  const [xminBound, xmaxBound] = bounds ?? (le(x1, x2) ? [x1, x2] : [x2, x1]);
  const d1 = sub(add(g1, g2), div(mul(py(3), sub(f1, f2)), sub(x1, x2)));
  const d2Square = sub(mul(d1, d1), mul(g1, g2));
  if (ge(d2Square, py(0))) {
    const d2 = t32(Math.sqrt(d2Square.v));
    let minPos: Num;
    if (le(x1, x2)) minPos = sub(x2, mul(sub(x2, x1), div(sub(add(g2, d2), d1), add(sub(g2, g1), mul(py(2), d2)))));
    else minPos = sub(x1, mul(sub(x1, x2), div(sub(add(g1, d2), d1), add(sub(g1, g2), mul(py(2), d2)))));
    return min2(max2(minPos, xminBound), xmaxBound);
  }
  return div(add(xminBound, xmaxBound), py(2.0));
}

/** The LBFGS state of PyTorch (snake_case keys, in PyTorch's order): numbers, tensors and lists of them. */
export type LBFGSStateValue = number | PyFloat | Tensor | null | (Tensor | null)[];

/**
 * L-BFGS (heavily inspired by minFunc), as `torch.optim.LBFGS`: one parameter group; `step(closure)`
 * runs up to `maxIter` iterations, each with a fixed step `lr` (the first scaled by the gradient) or a
 * strong-Wolfe line search. Its state lives on the first parameter, in PyTorch's layout (`func_evals`,
 * `n_iter`, `d`, `t`, `old_dirs`, `old_stps`, `ro`, `H_diag`, `prev_flat_grad`, `prev_loss`, `al`): read it
 * with {@link lbfgsState}; `stateDict()` holds these values (numbers and lists too, not only tensors).
 */
export class LBFGS extends Optimizer<typeof LBFGS_OPTIONS> {
  /** The option table (names, PyTorch's defaults, checks). */
  static readonly options: typeof LBFGS_OPTIONS = LBFGS_OPTIONS;
  private lstate: Record<string, LBFGSStateValue> = {};

  /**
   * @param params tensors or `[name, tensor]` pairs (one group only).
   * @param opts lr 1, maxIter 20, maxEval maxIter * 5 / 4, toleranceGrad 1e-7, toleranceChange 1e-9,
   *   historySize 100, lineSearchFn null.
   * @throws TypeError for an unknown option or a value of the wrong kind; RangeError "Invalid learning rate: -1",
   *   "only 'strong_wolfe' is supported", for maxIter/maxEval/historySize not integers >= 1,
   *   "LBFGS doesn't support per-parameter options (parameter groups)" for several groups,
   *   and for an empty parameter list.
   */
  constructor(params: ParamsInput<LBFGSOptions>, opts: LBFGSOptions = {}) {
    const o = { ...opts } as LBFGSOptions;
    if (o.maxEval === undefined || o.maxEval === null) {
      const maxIter = o.maxIter === undefined ? 20 : positiveInt(o.maxIter, 'maxIter');
      o.maxEval = Math.floor((maxIter * 5) / 4);
    }
    super(params, o);
    if (this.paramGroups.length !== 1) throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
  }

  /** The state (PyTorch's keys and values; live tensors, not copies). */
  lbfgsState(): Readonly<Record<string, LBFGSStateValue>> {
    return this.lstate;
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  private gatherFlatGrad(): Tensor {
    return cat(
      this.params.map((p) => {
        const g = p.grad;
        return g === null ? zeros([p.numel()], { dtype: p.dtype, device: p.device }) : g.view(-1);
      }),
      0,
    );
  }

  private addGrad(stepSize: Num, update: Tensor): void {
    let offset = 0;
    for (const p of this.params) {
      const n = p.numel();
      p.add_(update.slice(0, offset, offset + n).viewAs(p), { alpha: stepSize.v });
      offset += n;
    }
  }

  private lossOf(v: unknown): number {
    if (v instanceof Tensor) return v.item();
    if (typeof v === 'number') return v;
    throw new TypeError(`Expected the closure to return a Tensor or a number but received ${describe(v)}`);
  }

  /** PyTorch's `_directional_evaluate`: loss and flat gradient at x + t d (the parameters are restored). */
  private directionalEvaluate<L>(closure: () => L, x: Tensor[], t: Num, d: Tensor): [Num, Tensor] {
    this.addGrad(t, d);
    const loss = py(this.lossOf(enableGrad(closure)));
    const flatGrad = this.gatherFlatGrad();
    this.params.forEach((p, i) => p.copy_(x[i]));
    return [loss, flatGrad];
  }

  /** PyTorch's `_strong_wolfe`. */
  private strongWolfe<L>(closure: () => L, x: Tensor[], t0: Num, d: Tensor, f0: Num, g0: Tensor, gtd: Num, maxLs: number): [Num, Tensor, Num, number] {
    const c1 = py(1e-4);
    const c2 = py(0.9);
    const toleranceChange = py(1e-9);
    let t = t0;
    const dNorm = item(d.abs().max());
    const g = g0.clone();
    let [fNew, gNew] = this.directionalEvaluate(closure, x, t, d);
    let lsFuncEvals = 1;
    let gtdNew = item(gNew.dot(d));
    let tPrev = py(0);
    let fPrev = f0;
    let gPrev = g;
    let gtdPrev = gtd;
    let done = false;
    let lsIter = 0;
    let bracket: Num[] = [];
    let bracketF: Num[] = [];
    let bracketG: Tensor[] = [];
    let bracketGtd: Num[] = [];
    while (lsIter < maxLs) {
      if (gt(fNew, add(f0, mul(mul(c1, t), gtd))) || (lsIter > 1 && ge(fNew, fPrev))) {
        bracket = [tPrev, t];
        bracketF = [fPrev, fNew];
        bracketG = [gPrev, gNew.clone()];
        bracketGtd = [gtdPrev, gtdNew];
        break;
      }
      if (le(abs(gtdNew), mul(mul(py(-1), c2), gtd))) {
        bracket = [t];
        bracketF = [fNew];
        bracketG = [gNew];
        done = true;
        break;
      }
      if (ge(gtdNew, py(0))) {
        bracket = [tPrev, t];
        bracketF = [fPrev, fNew];
        bracketG = [gPrev, gNew.clone()];
        bracketGtd = [gtdPrev, gtdNew];
        break;
      }
      const minStep = add(t, mul(py(0.01), sub(t, tPrev)));
      const maxStep = mul(t, py(10));
      const tmp = t;
      t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
      tPrev = tmp;
      fPrev = fNew;
      gPrev = gNew.clone();
      gtdPrev = gtdNew;
      [fNew, gNew] = this.directionalEvaluate(closure, x, t, d);
      lsFuncEvals += 1;
      gtdNew = item(gNew.dot(d));
      lsIter += 1;
    }
    if (lsIter === maxLs) {
      bracket = [py(0), t];
      bracketF = [f0, fNew];
      bracketG = [g, gNew];
    }
    let insufProgress = false;
    let [lowPos, highPos] = le(bracketF[0], bracketF[bracketF.length - 1]) ? [0, 1] : [1, 0];
    while (!done && lsIter < maxLs) {
      if (lt(mul(abs(sub(bracket[1], bracket[0])), dNorm), toleranceChange)) break;
      t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
      const eps = mul(py(0.1), sub(maxOf(bracket), minOf(bracket)));
      if (lt(min2(sub(maxOf(bracket), t), sub(t, minOf(bracket))), eps)) {
        if (insufProgress || ge(t, maxOf(bracket)) || le(t, minOf(bracket))) {
          if (lt(abs(sub(t, maxOf(bracket))), abs(sub(t, minOf(bracket))))) t = sub(maxOf(bracket), eps);
          else t = add(minOf(bracket), eps);
          insufProgress = false;
        } else {
          insufProgress = true;
        }
      } else {
        insufProgress = false;
      }
      [fNew, gNew] = this.directionalEvaluate(closure, x, t, d);
      lsFuncEvals += 1;
      gtdNew = item(gNew.dot(d));
      lsIter += 1;
      if (gt(fNew, add(f0, mul(mul(c1, t), gtd))) || ge(fNew, bracketF[lowPos])) {
        bracket[highPos] = t;
        bracketF[highPos] = fNew;
        bracketG[highPos] = gNew.clone();
        bracketGtd[highPos] = gtdNew;
        [lowPos, highPos] = le(bracketF[0], bracketF[1]) ? [0, 1] : [1, 0];
      } else {
        if (le(abs(gtdNew), mul(mul(py(-1), c2), gtd))) done = true;
        else if (ge(mul(gtdNew, sub(bracket[highPos], bracket[lowPos])), py(0))) {
          bracket[highPos] = bracket[lowPos];
          bracketF[highPos] = bracketF[lowPos];
          bracketG[highPos] = bracketG[lowPos];
          bracketGtd[highPos] = bracketGtd[lowPos];
        }
        bracket[lowPos] = t;
        bracketF[lowPos] = fNew;
        bracketG[lowPos] = gNew.clone();
        bracketGtd[lowPos] = gtdNew;
      }
    }
    return [bracketF[lowPos], bracketG[lowPos], bracket[lowPos], lsFuncEvals];
  }

  /**
   * Runs up to `maxIter` L-BFGS iterations.
   * @param closure re-evaluates the model (zeroGrad, loss, backward) and returns the loss (a Tensor or a
   *   number); required, run with gradients enabled, possibly several times.
   * @returns the loss of the first evaluation.
   * @throws TypeError when the closure is missing or returns something else than a Tensor or a number.
   */
  step<L = unknown>(closure?: () => L): L | undefined {
    if (typeof closure !== 'function') throw new TypeError(`Expected a function for closure but received ${describe(closure)}`);
    const group = this.paramGroups[0];
    const lr = py(group.lr);
    const maxIter = group.maxIter;
    const maxEval = group.maxEval as number;
    const toleranceGrad = py(group.toleranceGrad);
    const toleranceChange = py(group.toleranceChange);
    const historySize = group.historySize;
    const state = this.lstate;
    if (state.func_evals === undefined) state.func_evals = 0;
    if (state.n_iter === undefined) state.n_iter = 0;
    const origLoss = enableGrad(closure);
    const before = new Set(this.stateTensors());
    noGrad(() =>
      tidy(() => {
        let loss = py(this.lossOf(origLoss));
        let currentEvals = 1;
        state.func_evals = (state.func_evals as number) + 1;
        let flatGrad = this.gatherFlatGrad();
        if (le(item(flatGrad.abs().max()), toleranceGrad)) return;
        const asNum = (v: LBFGSStateValue | undefined): Num | undefined =>
          v === undefined || v === null ? undefined : v instanceof Tensor ? item(v) : py(v instanceof PyFloat ? v.value : (v as number));
        let d = state.d as Tensor | undefined;
        let t = asNum(state.t);
        let oldDirs = state.old_dirs as Tensor[] | undefined;
        let oldStps = state.old_stps as Tensor[] | undefined;
        let ro = state.ro as Tensor[] | undefined;
        let hDiag = state.H_diag as Tensor | number | undefined;
        let prevFlatGrad = state.prev_flat_grad as Tensor | undefined;
        let prevLoss = asNum(state.prev_loss);
        let nIter = 0;
        while (nIter < maxIter) {
          nIter += 1;
          state.n_iter = (state.n_iter as number) + 1;
          if (state.n_iter === 1) {
            d = flatGrad.neg();
            oldDirs = [];
            oldStps = [];
            ro = [];
            hDiag = 1;
          } else {
            const y = flatGrad.sub(prevFlatGrad as Tensor);
            const s = (d as Tensor).mul((t as Num).v);
            const ys = y.dot(s);
            if (gt(item(ys), py(1e-10))) {
              if ((oldDirs as Tensor[]).length === historySize) {
                (oldDirs as Tensor[]).shift();
                (oldStps as Tensor[]).shift();
                (ro as Tensor[]).shift();
              }
              (oldDirs as Tensor[]).push(y);
              (oldStps as Tensor[]).push(s);
              (ro as Tensor[]).push(ys.reciprocal());
              hDiag = ys.div(y.dot(y));
            }
            const numOld = (oldDirs as Tensor[]).length;
            if (state.al === undefined) state.al = new Array<Tensor | null>(historySize).fill(null);
            const al = state.al as (Tensor | null)[];
            const q = flatGrad.neg();
            for (let i = numOld - 1; i >= 0; i--) {
              al[i] = (oldStps as Tensor[])[i].dot(q).mul((ro as Tensor[])[i]);
              q.add_((oldDirs as Tensor[])[i], { alpha: -(al[i] as Tensor).item() });
            }
            const r = hDiag instanceof Tensor ? q.mul(hDiag) : q.mul(hDiag as number);
            d = r;
            for (let i = 0; i < numOld; i++) {
              const beI = (oldDirs as Tensor[])[i].dot(r).mul((ro as Tensor[])[i]);
              r.add_((oldStps as Tensor[])[i], { alpha: (al[i] as Tensor).sub(beI).item() });
            }
          }
          if (prevFlatGrad === undefined) prevFlatGrad = flatGrad.clone();
          else prevFlatGrad.copy_(flatGrad);
          prevLoss = loss;
          if (state.n_iter === 1) {
            const inv = t32(1 / f(item(flatGrad.abs().sum()).v));
            t = mul(min2(py(1.0), inv), lr);
          } else {
            t = lr;
          }
          const gtd = item(flatGrad.dot(d as Tensor));
          if (gt(gtd, mul(py(-1), toleranceChange))) break;
          let lsFuncEvals = 0;
          let optCond = false;
          if (group.lineSearchFn !== null) {
            const xInit = this.params.map((p) => p.clone());
            [loss, flatGrad, t, lsFuncEvals] = this.strongWolfe(closure, xInit, t, d as Tensor, loss, flatGrad, gtd, maxEval - currentEvals);
            this.addGrad(t, d as Tensor);
            optCond = le(item(flatGrad.abs().max()), toleranceGrad);
          } else {
            this.addGrad(t, d as Tensor);
            if (nIter !== maxIter) {
              loss = py(this.lossOf(enableGrad(closure)));
              flatGrad = this.gatherFlatGrad();
              optCond = le(item(flatGrad.abs().max()), toleranceGrad);
              lsFuncEvals = 1;
            }
          }
          currentEvals += lsFuncEvals;
          state.func_evals = (state.func_evals as number) + lsFuncEvals;
          if (nIter === maxIter) break;
          if (currentEvals >= maxEval) break;
          if (optCond) break;
          if (
            le(
              item(
                (d as Tensor)
                  .mul((t as Num).v)
                  .abs()
                  .max(),
              ),
              toleranceChange,
            )
          )
            break;
          if (lt(abs(sub(loss, prevLoss)), toleranceChange)) break;
        }
        state.d = d as Tensor;
        state.t = (t as Num).f32 ? tensor((t as Num).v, { dtype: 'float32' }) : (t as Num).v;
        state.old_dirs = oldDirs as Tensor[];
        state.old_stps = oldStps as Tensor[];
        state.ro = ro as Tensor[];
        state.H_diag = hDiag as Tensor | number;
        state.prev_flat_grad = prevFlatGrad as Tensor;
        state.prev_loss = new PyFloat((prevLoss as Num).v);
        // Keep the new state out of this (and every) scope before it closes.
        for (const x of this.stateTensors()) keep(x);
      }),
    );
    // Free what the old state held and the new one does not.
    const now = new Set(this.stateTensors());
    for (const x of before) if (!now.has(x)) x.dispose();
    return origLoss;
  }

  private stateTensors(): Tensor[] {
    const out: Tensor[] = [];
    for (const v of Object.values(this.lstate)) {
      if (v instanceof Tensor) out.push(v);
      else if (Array.isArray(v)) for (const x of v) if (x instanceof Tensor) out.push(x);
    }
    return out;
  }

  /** PyTorch's layout: the state on index 0 (the first parameter), with numbers and lists. */
  override stateDict(): OptimizerStateDict {
    const sd = super.stateDict();
    if (Object.keys(this.lstate).length !== 0) {
      const entry: Record<string, LBFGSStateValue> = {};
      for (const [k, v] of Object.entries(this.lstate)) entry[k] = Array.isArray(v) ? [...v] : v;
      sd.state.set(0, entry as Record<string, Tensor | null>);
    }
    return sd;
  }

  /**
   * Loads PyTorch's layout (tensors copied to the first parameter's dtype and device).
   * @throws TypeError for a malformed state (and as {@link Optimizer.loadStateDict} for the groups).
   */
  override loadStateDict(stateDict: OptimizerStateDict | OptimizerStateDictInput): void {
    if (stateDict === null || typeof stateDict !== 'object' || !('state' in stateDict)) return super.loadStateDict(stateDict);
    const raw = stateDict.state as Map<PyValue<Tensor>, PyValue<Tensor>> | Record<string, PyValue<Tensor>>;
    const entries: [PyValue<Tensor>, PyValue<Tensor>][] =
      raw instanceof Map ? [...raw.entries()] : raw !== null && typeof raw === 'object' ? Object.entries(raw) : [];
    const first = entries.find(([k]) => Number(k instanceof PyFloat ? k.value : k) === 0)?.[1];
    const p0 = this.params[0];
    const created: Tensor[] = [];
    const copy = (t: Tensor): Tensor => {
      const c = t.detach().to({ dtype: p0.dtype, device: p0.device, copy: true });
      created.push(c);
      return c;
    };
    const next: Record<string, LBFGSStateValue> = {};
    try {
      if (first !== undefined) {
        if (first === null || typeof first !== 'object' || Array.isArray(first) || first instanceof Tensor) {
          throw new TypeError(`Expected an object for the state of parameter 0 but received ${describe(first)}`);
        }
        for (const [k, v] of Object.entries(first as Record<string, PyValue<Tensor>>)) {
          if (v instanceof Tensor) next[k] = copy(v);
          else if (v instanceof PyFloat) next[k] = k === 'prev_loss' ? v : v.value;
          else if (typeof v === 'number' || v === null) next[k] = v;
          else if (Array.isArray(v)) {
            next[k] = Array.from(v as PyValue<Tensor>[], (x) => {
              if (x === null) return null;
              if (x instanceof Tensor) return copy(x);
              throw new TypeError(`Expected a list of Tensors for state '${k}' but received ${describe(v)}`);
            });
          } else throw new TypeError(`Expected a number, a Tensor or a list for state '${k}' but received ${describe(v)}`);
        }
      }
      super.loadStateDict({ state: new Map(), param_groups: stateDict.param_groups } as OptimizerStateDictInput);
    } catch (e) {
      for (const t of created) t.dispose();
      throw e;
    }
    for (const t of this.stateTensors()) t.dispose();
    for (const t of created) keep(t);
    this.lstate = next;
  }

  /** Frees the state tensors and forgets the state. */
  override dispose(): void {
    for (const t of this.stateTensors()) t.dispose();
    this.lstate = {};
    super.dispose();
  }
}
