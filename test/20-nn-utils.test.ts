/**
 * nn.utils against PyTorch: clipGradNorm_ (total norm returned, grads
 * scaled; normType 2, 1, Infinity and fractional; errorIfNonfinite),
 * clipGradValue_, and rnn.padSequence (batchFirst, paddingValue).
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { errorOf } from './helpers/python.js';
import { dec, expectEnc, fixedIn, ok, pyNN, pythonHasTorch, randIn, type Enc, type PyError } from './20-nn-helpers.js';

const nn = torch.nn;

interface ClipCase {
  name: string;
  /** Parameter values and their grads (null: no grad). */
  params: { value: Enc; grad: Enc | null }[];
  maxNorm: number;
  normType?: number;
  errorIfNonfinite?: boolean;
}

const P = (shape: number[], seed: number, scale = 2, grad = true): { value: Enc; grad: Enc | null } => ({
  value: randIn(shape, seed, { requiresGrad: true }),
  grad: grad ? randIn(shape, seed + 100, { lo: -scale, hi: scale, requiresGrad: false }) : null,
});

const CLIPS: ClipCase[] = [
  { name: 'norm 2, clipping (max 1)', params: [P([3, 4], 1), P([4], 2), P([2, 2, 2], 3)], maxNorm: 1 },
  { name: 'norm 2, no clipping needed (max 100)', params: [P([3, 4], 4), P([4], 5)], maxNorm: 100 },
  { name: 'norm 1', params: [P([3, 4], 6), P([5], 7)], maxNorm: 2, normType: 1 },
  { name: 'norm Infinity', params: [P([3, 4], 8), P([5], 9, 6)], maxNorm: 0.5, normType: Infinity },
  { name: 'norm 3.5', params: [P([6], 10), P([2, 3], 11)], maxNorm: 0.75, normType: 3.5 },
  { name: 'parameters without grad are skipped', params: [P([3], 12), P([4], 13, 2, false), P([2], 14)], maxNorm: 0.3 },
  {
    name: 'non-finite grad without errorIfNonfinite: returns inf, scales anyway',
    params: [P([3], 15), { value: randIn([2], 16), grad: fixedIn([1, Infinity]) }],
    maxNorm: 1,
  },
  {
    name: 'non-finite grad with errorIfNonfinite throws',
    params: [P([3], 17), { value: randIn([2], 18), grad: fixedIn([NaN, 1]) }],
    maxNorm: 1,
    errorIfNonfinite: true,
  },
  {
    name: 'infinite grad, norm 1, errorIfNonfinite throws',
    params: [{ value: randIn([2], 19), grad: fixedIn([-Infinity, 1]) }],
    maxNorm: 1,
    normType: 1,
    errorIfNonfinite: true,
  },
];

const VALUE_CLIPS: { name: string; params: { value: Enc; grad: Enc | null }[]; clip: number }[] = [
  { name: 'clipGradValue_ 0.5', params: [P([3, 4], 21), P([5], 22, 2, false), P([6], 23)], clip: 0.5 },
  { name: 'clipGradValue_ 0 zeroes the grads', params: [P([4], 24)], clip: 0 },
];

const PADS: { name: string; seqs: Enc[]; batchFirst?: boolean; paddingValue?: number }[] = [
  {
    name: '1-D sequences, time-major',
    seqs: [randIn([3], 31, { requiresGrad: false }), randIn([5], 32, { requiresGrad: false }), randIn([1], 33, { requiresGrad: false })],
  },
  {
    name: '1-D sequences, batchFirst, paddingValue -1',
    seqs: [randIn([2], 34, { requiresGrad: false }), randIn([4], 35, { requiresGrad: false })],
    batchFirst: true,
    paddingValue: -1,
  },
  {
    name: '[L, 3] sequences, batchFirst',
    seqs: [randIn([2, 3], 36, { requiresGrad: false }), randIn([4, 3], 37, { requiresGrad: false }), randIn([3, 3], 38, { requiresGrad: false })],
    batchFirst: true,
  },
  {
    name: '[L, 2, 2] sequences, time-major, paddingValue 9',
    seqs: [randIn([1, 2, 2], 39, { requiresGrad: false }), randIn([3, 2, 2], 40, { requiresGrad: false })],
    paddingValue: 9,
  },
  {
    name: 'int64 sequences with an empty one',
    seqs: [fixedIn([1, 2, 3], 'int64'), { shape: [0], data: [], dtype: 'int64' }, fixedIn([7], 'int64')],
    batchFirst: true,
    paddingValue: 0,
  },
];

const PY_UTILS = `
def params_of(c):
    ps = []
    for p in c['params']:
        t = T(p['value']).detach().requires_grad_(True)
        if p['grad'] is not None:
            t.grad = T(p['grad'])
        ps.append(t)
    return ps

clips = []
for c in D['clips']:
    ps = params_of(c)
    nt = c.get('normType', 2.0)
    nt = float('inf') if nt == 'inf' else nt
    try:
        n = nn.utils.clip_grad_norm_(ps, c['maxNorm'], norm_type=nt, error_if_nonfinite=c.get('errorIfNonfinite', False))
        clips.append({'norm': E(n), 'grads': [E(p.grad) for p in ps]})
    except RuntimeError as e:
        clips.append({'message': str(e), 'grads': [E(p.grad) for p in ps]})
values = []
for c in D['values']:
    ps = params_of(c)
    r = nn.utils.clip_grad_value_(ps, c['clip'])
    values.append({'grads': [E(p.grad) for p in ps], 'returnsNone': r is None})
pads = []
for c in D['pads']:
    seqs = [T(s) for s in c['seqs']]
    pads.append(E(nn.utils.rnn.pad_sequence(seqs, batch_first=c.get('batchFirst', False), padding_value=c.get('paddingValue', 0.0))))
out = {'clips': clips, 'values': values, 'pads': pads}
`;

interface PyUtils {
  clips: ({ norm: Enc; grads: (Enc | null)[] } | { message: string; grads: (Enc | null)[] })[];
  values: { grads: (Enc | null)[]; returnsNone: boolean }[];
  pads: Enc[];
}

function makeParams(ps: { value: Enc; grad: Enc | null }[]): Tensor[] {
  return ps.map((p) => {
    const t = new nn.Parameter(dec({ ...p.value, requiresGrad: false }));
    if (p.grad !== null) t.grad = dec(p.grad);
    return t;
  });
}

describe('nn.utils vs PyTorch', function () {
  this.timeout(120_000);
  let py: PyUtils;
  before(function () {
    if (!pythonHasTorch()) {
      console.log('    reference PyTorch not available: skipping');
      this.skip();
    }
    const data = {
      clips: CLIPS.map((c) => ({ ...c, normType: c.normType === Infinity ? 'inf' : c.normType })),
      values: VALUE_CLIPS,
      pads: PADS,
    };
    py = ok(pyNN<PyUtils | PyError>([{ kind: 'exec', code: PY_UTILS, data }])[0], 'utils');
  });

  describe('clipGradNorm_', () => {
    CLIPS.forEach((c, i) => {
      it(c.name, () => {
        torch.tidy(() => {
          const want = py.clips[i];
          const ps = makeParams(c.params);
          const opts = { ...(c.normType !== undefined ? { normType: c.normType } : {}), ...(c.errorIfNonfinite ? { errorIfNonfinite: true } : {}) };
          if ('message' in want) {
            const e = errorOf(() => nn.utils.clipGradNorm_(ps, c.maxNorm, opts));
            // Python's first sentence verbatim; its advice names the Python keyword, so only
            // require that the TS message says how to turn the check off
            const sentence = want.message.slice(0, want.message.indexOf('. ') + 1);
            expect(sentence, "Python's first sentence").to.match(/non-finite, so it cannot be clipped\.$/);
            expect(e.message.startsWith(sentence), `"${e.message}" starts with "${sentence}"`).to.equal(true);
            expect(e.message).to.match(/errorIfNonfinite|error_if_nonfinite/);
          } else {
            const n = nn.utils.clipGradNorm_(ps, c.maxNorm, opts);
            expectEnc(n, want.norm, 'total norm');
          }
          // grads after clipping (untouched when it threw)
          ps.forEach((p, j) => expectEnc(p.grad, want.grads[j], `grad ${j}`));
        });
      });
    });

    it('takes a single tensor and a Module.parameters() list', () => {
      torch.tidy(() => {
        const p = new nn.Parameter(torch.zeros(2));
        p.grad = torch.tensor([3, 4], { dtype: 'float32' });
        expect(nn.utils.clipGradNorm_(p, 1).item()).to.be.closeTo(5, 1e-6);
        const g = (p.grad as Tensor).dataSync();
        expect(g[0]).to.be.closeTo(0.6, 1e-6);
        expect(g[1]).to.be.closeTo(0.8, 1e-6);
        const lin = new nn.Linear(3, 2);
        expect(nn.utils.clipGradNorm_(lin.parameters(), 1).item(), 'no grads: norm 0').to.equal(0);
      });
    });

    it('rejects unknown options and non-tensors', () => {
      const e = errorOf(() => nn.utils.clipGradNorm_([], 1, { norm: 2 } as never));
      expect(e).to.be.instanceOf(TypeError);
      expect(e.message).to.equal("Unknown option 'norm' for clipGradNorm_; expected one of: normType, errorIfNonfinite");
      expect(() => nn.utils.clipGradNorm_([1 as never], 1)).to.throw(TypeError, 'Expected Tensors for parameters but received 1 of type number');
    });
  });

  describe('clipGradValue_', () => {
    VALUE_CLIPS.forEach((c, i) => {
      it(c.name, () => {
        torch.tidy(() => {
          const ps = makeParams(c.params);
          expect(nn.utils.clipGradValue_(ps, c.clip)).to.equal(undefined);
          expect(py.values[i].returnsNone).to.equal(true);
          ps.forEach((p, j) => expectEnc(p.grad, py.values[i].grads[j], `grad ${j}`));
        });
      });
    });
    it('rejects a negative clip value', () => {
      const e = errorOf(() => nn.utils.clipGradValue_([], -1));
      expect(e).to.be.instanceOf(RangeError);
      expect(e.message).to.equal('Expected a non-negative number for clipValue but received -1 of type number');
    });
  });

  describe('rnn.padSequence', () => {
    PADS.forEach((c, i) => {
      it(c.name, () => {
        torch.tidy(() => {
          const seqs = c.seqs.map((s) => dec(s));
          const opts = {
            ...(c.batchFirst !== undefined ? { batchFirst: c.batchFirst } : {}),
            ...(c.paddingValue !== undefined ? { paddingValue: c.paddingValue } : {}),
          };
          expectEnc(nn.utils.rnn.padSequence(seqs, opts), py.pads[i], 'padded', { rtol: 0, atol: 0 });
        });
      });
    });

    it('gradients flow back to each sequence', () => {
      torch.tidy(() => {
        const a = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
        const b = torch.tensor([4], { dtype: 'float32', requiresGrad: true });
        const out = nn.utils.rnn.padSequence([a, b], { batchFirst: true });
        out
          .mul(
            torch.tensor(
              [
                [1, 2, 3],
                [4, 5, 6],
              ],
              { dtype: 'float32' },
            ),
          )
          .sum()
          .backward();
        expect(a.grad?.dataSync()).to.deep.equal([1, 2, 3]);
        expect(b.grad?.dataSync()).to.deep.equal([4]);
      });
    });

    it('mismatched trailing shapes, an empty list and non-tensors throw specific errors', () => {
      const e = errorOf(() => nn.utils.rnn.padSequence([torch.zeros([2, 3]), torch.zeros([4, 2])]));
      expect(e).to.be.instanceOf(TypeError);
      expect(e.message).to.equal('padSequence: sequences[1] has trailing shape [2] but sequences[0] has [3]');
      const r = errorOf(() => nn.utils.rnn.padSequence([torch.zeros([2, 3]), torch.zeros([4])]));
      expect(r.message).to.equal('padSequence: sequences[1] has trailing shape [] but sequences[0] has [3]');
      const empty = errorOf(() => nn.utils.rnn.padSequence([]));
      expect(empty).to.be.instanceOf(TypeError);
      expect(empty.message).to.equal('Expected a non-empty array of Tensors for sequences but received an array of length 0');
      const bad = errorOf(() => nn.utils.rnn.padSequence([torch.zeros(2), [1, 2] as never]));
      expect(bad.message).to.equal('Expected Tensor for sequences[1] but received an array of length 2');
      const opt = errorOf(() => nn.utils.rnn.padSequence([torch.zeros(2)], { batch_first: true } as never));
      expect(opt.message).to.equal("Unknown option 'batch_first' for padSequence; expected one of: batchFirst, paddingValue, paddingSide");
    });
  });
});
