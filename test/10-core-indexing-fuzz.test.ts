/**
 * Differential indexing: random index expressions (integers, slices, null,
 * one or two '...', booleans, index tensors, masks over one or two dims,
 * 0-dim tensors, lists) on random shapes (0-dim, empty dims, transposed
 * inputs), read with Tensor.index() and written with indexPut_() (a scalar,
 * a full value tensor, a broadcast one, accumulate), each compared with
 * Python's `x[items]` / `x[items] = v` on PyTorch. A case where Python
 * raises must throw here too.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { DType, IndexItem, NestedArray, Tensor } from '../lib/torch/index.js';
import { Data, expectMatches, hasPythonTorch, PYTHON, runTorch, type PyValue } from './helpers/python.js';

type ItemSpec =
  | { t: 'int'; v: number }
  | { t: 'slice'; a: number | null; b: number | null; c: number | null; obj: boolean }
  | { t: 'none' }
  | { t: 'ell' }
  | { t: 'bool'; v: boolean }
  | { t: 'tensor'; data: NestedArray; dtype: DType }
  | { t: 'list'; v: NestedArray[] };

interface Case {
  shape: number[];
  dtype: DType;
  data: NestedArray;
  transpose: boolean;
  items: ItemSpec[];
  /** Assignment: the value kind ('scalar', 'full': shaped like x[items], 'row': its last dim) or null for a read. */
  put: 'scalar' | 'full' | 'row' | null;
  accumulate: boolean;
}

const D = new Data(1013);
const int = (lo: number, hi: number): number => lo + Math.floor(D.next() * (hi - lo)); // [lo, hi)
const chance = (p: number): boolean => D.next() < p;

function ints(shape: number[], lo: number, hi: number): NestedArray {
  return D.ints(shape, lo, Math.max(hi, lo + 1));
}

/** Random items addressing the dims of `shape` (sometimes wrongly: out of range, a mask of the wrong size). */
function randomItems(shape: number[]): ItemSpec[] {
  const n = shape.length;
  const ellipsis = chance(0.3);
  // dims addressed before '...' and after it
  const front = int(0, n + 1);
  const back = ellipsis ? int(0, n - front + 1) : 0;
  const addressed = [...Array(front).keys(), ...Array.from({ length: back }, (_, i) => n - back + i)];
  const items: ItemSpec[] = [];
  const extra = (): void => {
    if (chance(0.12)) items.push({ t: 'none' });
    if (chance(0.06)) items.push({ t: 'bool', v: chance(0.6) });
    if (chance(0.05)) items.push({ t: 'tensor', data: chance(0.6), dtype: 'bool' });
  };
  let k = 0;
  let placedEllipsis = false;
  while (k < addressed.length || (ellipsis && !placedEllipsis)) {
    extra();
    if (ellipsis && !placedEllipsis && k === front) {
      items.push({ t: 'ell' });
      placedEllipsis = true;
      if (chance(0.1)) items.push({ t: 'ell' });
      continue;
    }
    const d = addressed[k];
    const size = shape[d];
    const wrong = chance(0.04);
    const r = D.next();
    if (r < 0.25) {
      items.push({ t: 'int', v: wrong ? size + int(0, 3) : size === 0 ? 0 : int(-size, size) });
      k++;
    } else if (r < 0.5) {
      const a = chance(0.5) ? null : int(-size - 1, size + 2);
      const b = chance(0.5) ? null : int(-size - 1, size + 2);
      const c = chance(0.5) ? null : int(1, 4);
      items.push({ t: 'slice', a, b, c, obj: chance(0.3) });
      k++;
    } else if (r < 0.65) {
      const len = int(0, 4);
      const lo = size === 0 ? 0 : -size;
      const hi = size === 0 ? 1 : size;
      const dims = chance(0.2) ? [2, len] : [len];
      items.push({
        t: 'tensor',
        data:
          size === 0 && !wrong
            ? D.ints(
                dims.map(() => 0),
                0,
                1,
              )
            : ints(dims, lo, wrong ? hi + 2 : hi),
        dtype: 'int64',
      });
      k++;
    } else if (r < 0.8) {
      // a mask over this dim, or this and the next when they are adjacent
      const sameSide = !ellipsis || k + 1 < front || k >= front;
      const two = sameSide && k + 1 < addressed.length && addressed[k + 1] === d + 1 && chance(0.4);
      const mshape = two ? [size, shape[d + 1]] : [size];
      if (wrong) mshape[0] += 1;
      items.push({ t: 'tensor', data: D.bools(mshape, 0.5), dtype: 'bool' });
      k += two ? 2 : 1;
    } else if (r < 0.88) {
      items.push({ t: 'tensor', data: size === 0 ? 0 : int(-size, size), dtype: 'int64' });
      k++;
    } else {
      const len = int(1, 4);
      items.push({ t: 'list', v: size === 0 ? [] : (ints([len], -size, size) as NestedArray[]) });
      k++;
    }
  }
  extra();
  return items;
}

function randomCase(): Case {
  const ndim = int(0, 5);
  const shape = Array.from({ length: ndim }, () => (chance(0.08) ? 0 : int(1, 5)));
  const dtype: DType = chance(0.7) ? 'int64' : chance(0.5) ? 'float32' : 'bool';
  const data = dtype === 'bool' ? D.bools(shape) : dtype === 'int64' ? D.ints(shape, -99, 100) : D.uniform(shape);
  const r = D.next();
  const put = r < 0.45 ? null : r < 0.7 ? 'scalar' : r < 0.9 ? 'full' : 'row';
  const items = randomItems(shape);
  // accumulate only with basic items, where it is Python's `x[items] += v` (with index tensors
  // repeated indices add up, as index_put_(accumulate=True): 10-core-indexing compares that case)
  const basic = items.every((s) => s.t === 'int' || s.t === 'slice' || s.t === 'none' || s.t === 'ell');
  return { shape, dtype, data, transpose: ndim >= 2 && chance(0.3), items, put, accumulate: put !== null && basic && dtype !== 'bool' && chance(0.4) };
}

const CASES: Case[] = Array.from({ length: 800 }, randomCase);

const PY = String.raw`
def item(s):
    t = s['t']
    if t == 'int': return s['v']
    if t == 'slice': return slice(s['a'], s['b'], s['c'])
    if t == 'none': return None
    if t == 'ell': return Ellipsis
    if t == 'bool': return s['v']
    if t == 'tensor': return torch.tensor(s['data'], dtype=getattr(torch, s['dtype']))
    if t == 'list': return s['v']

def value(c, x, items):
    if c['put'] == 'scalar':
        return True if x.dtype == torch.bool else 7
    r = x[items]
    shape = r.shape if c['put'] == 'full' else r.shape[-1:]
    n = 1
    for d in shape: n *= d
    return (torch.arange(n) % 2 == 0 if x.dtype == torch.bool else torch.arange(n) + 1).to(x.dtype).reshape(shape)

out = []
for c in INPUT:
    try:
        x = torch.tensor(c['data'], dtype=getattr(torch, c['dtype']))
        if c['transpose']: x = x.transpose(0, -1)
        items = tuple(item(s) for s in c['items'])
        if c['put'] is None:
            out.append({'out': enc(x[items])})
        else:
            v = value(c, x, items)
            y = x.clone()
            if c['accumulate']:
                y[items] += v
            else:
                y[items] = v
            out.append({'out': enc(y)})
    except Exception as e:
        out.append({'error': type(e).__name__ + ': ' + str(e).split('\n')[0]})
emit(out)
`;

function tsItem(s: ItemSpec): IndexItem {
  switch (s.t) {
    case 'int':
      return s.v;
    case 'slice':
      return s.obj ? torch.slice(s.a, s.b, s.c) : `${s.a ?? ''}:${s.b ?? ''}${s.c === null ? '' : `:${s.c}`}`;
    case 'none':
      return null;
    case 'ell':
      return '...';
    case 'bool':
      return s.v;
    case 'tensor':
      return torch.tensor(s.data as never, { dtype: s.dtype });
    case 'list':
      return s.v as IndexItem;
  }
}

function tsValue(c: Case, x: Tensor, items: IndexItem[]): Tensor | number | boolean {
  if (c.put === 'scalar') return x.dtype === 'bool' ? true : 7;
  const r = x.index(items);
  const shape = c.put === 'full' ? r.shape : r.shape.slice(-1);
  const n = shape.reduce((a, b) => a * b, 1);
  const base = x.dtype === 'bool' ? torch.arange(n).remainder(2).eq(0) : torch.arange(n).add(1);
  return base.to(x.dtype).reshape(shape);
}

function describeCase(c: Case): string {
  const items = c.items.map((s) => JSON.stringify(s)).join(', ');
  return `${c.dtype}${JSON.stringify(c.shape)}${c.transpose ? '.transpose(0, -1)' : ''}[${items}]${c.put ? ` ${c.accumulate ? '+' : ''}= ${c.put}` : ''}`;
}

describe('10 core: indexing, differential against PyTorch', () => {
  let results: ({ out: PyValue } | { error: string })[] = [];
  before(function () {
    if (!hasPythonTorch()) {
      console.log(`    reference PyTorch not available at ${PYTHON}: skipping`);
      this.skip();
    }
    this.timeout(120_000);
    results = runTorch(PY, CASES);
  });

  it(`${CASES.length} random reads and writes give PyTorch's results, and fail where PyTorch fails`, () => {
    const kinds = { read: 0, write: 0, raised: 0 };
    for (let i = 0; i < CASES.length; i++) {
      const c = CASES[i];
      const r = results[i];
      const name = `case ${i}: ${describeCase(c)}`;
      torch.tidy(() => {
        let out: Tensor | undefined;
        let error: Error | undefined;
        try {
          let x = torch.tensor(c.data as never, { dtype: c.dtype });
          if (c.transpose) x = x.transpose(0, -1);
          const items = c.items.map(tsItem);
          if (c.put === null) out = x.index(items);
          else {
            const v = tsValue(c, x, items);
            out = x.clone().indexPut_(items, v, { accumulate: c.accumulate });
          }
        } catch (e) {
          error = e as Error;
        }
        if ('error' in r) {
          expect(error, `${name}: Python raised ${r.error} but TS returned ${String(out)}`).to.not.equal(undefined);
          kinds.raised++;
          return;
        }
        if (error !== undefined) expect.fail(`${name}: TS threw ${error.message}; PyTorch returned a result`);
        expectMatches(out, r.out, { name });
        if (c.put === null) kinds.read++;
        else kinds.write++;
      });
    }
    // the generator must reach every kind of outcome, mostly successes
    expect(kinds.read, 'reads compared').to.be.greaterThan(250);
    expect(kinds.write, 'writes compared').to.be.greaterThan(300);
    expect(kinds.raised, 'cases where both raise').to.be.greaterThan(20);
  });
});
