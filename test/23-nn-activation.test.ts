/**
 * Every activation module of torch.nn against PyTorch 2.13: outputs, input
 * gradients and parameter gradients (moduleCases), printed forms, state-dict
 * keys, in-place behaviour, train/eval (RReLU), PReLU's init, and the
 * constructor errors with their messages.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { mcase, moduleCases, ok, pyNN, pythonHasTorch, randIn, fixedIn, type PyError } from './20-nn-helpers.js';

const nn = torch.nn;

const x = (seed: number, shape = [3, 4]) => ({ x: randIn(shape, seed, { lo: -3, hi: 3 }) });
const call = (m: torch.nn.Module, i: Record<string, Tensor>) => (m as unknown as { forward(t: Tensor): Tensor }).forward(i.x);

/** [name, TS module, Python expression, input shape]: every case is compared output + gradient. */
const ACTS: [string, () => torch.nn.Module, string, number[]?][] = [
  ['Threshold', () => new nn.Threshold(0.1, 20), 'nn.Threshold(0.1, 20.0)'],
  ['ReLU', () => new nn.ReLU(), 'nn.ReLU()'],
  ['RReLU (eval: mean slope)', () => new nn.RReLU(0.1, 0.3).eval(), 'nn.RReLU(0.1, 0.3).eval()'],
  ['Hardtanh', () => new nn.Hardtanh(-0.5, 2), 'nn.Hardtanh(-0.5, 2.0)'],
  ['ReLU6', () => new nn.ReLU6(), 'nn.ReLU6()'],
  ['Sigmoid', () => new nn.Sigmoid(), 'nn.Sigmoid()'],
  ['Hardsigmoid', () => new nn.Hardsigmoid(), 'nn.Hardsigmoid()'],
  ['Tanh', () => new nn.Tanh(), 'nn.Tanh()'],
  ['SiLU', () => new nn.SiLU(), 'nn.SiLU()'],
  ['Mish', () => new nn.Mish(), 'nn.Mish()'],
  ['Hardswish', () => new nn.Hardswish(), 'nn.Hardswish()'],
  ['ELU(alpha 0.7)', () => new nn.ELU(0.7), 'nn.ELU(0.7)'],
  ['CELU(alpha 1.5)', () => new nn.CELU(1.5), 'nn.CELU(1.5)'],
  ['SELU', () => new nn.SELU(), 'nn.SELU()'],
  ['GLU(dim 1)', () => new nn.GLU(1), 'nn.GLU(1)'],
  ['GLU default dim -1', () => new nn.GLU(), 'nn.GLU()', [2, 3, 6]],
  ['GELU', () => new nn.GELU(), 'nn.GELU()'],
  ['GELU tanh', () => new nn.GELU('tanh'), "nn.GELU('tanh')"],
  ['Hardshrink', () => new nn.Hardshrink(0.8), 'nn.Hardshrink(0.8)'],
  ['LeakyReLU', () => new nn.LeakyReLU(0.2), 'nn.LeakyReLU(0.2)'],
  ['LogSigmoid', () => new nn.LogSigmoid(), 'nn.LogSigmoid()'],
  ['Softplus(beta 2, threshold 3)', () => new nn.Softplus(2, 3), 'nn.Softplus(2.0, 3.0)'],
  ['Softshrink', () => new nn.Softshrink(0.6), 'nn.Softshrink(0.6)'],
  ['PReLU (one slope)', () => new nn.PReLU(), 'nn.PReLU()', [3, 4, 2]],
  ['PReLU (per channel, init 0.1)', () => new nn.PReLU(4, { init: 0.1 }), 'nn.PReLU(4, init=0.1)', [3, 4, 2]],
  ['Softsign', () => new nn.Softsign(), 'nn.Softsign()'],
  ['Tanhshrink', () => new nn.Tanhshrink(), 'nn.Tanhshrink()'],
  ['Softmin(dim 1)', () => new nn.Softmin(1), 'nn.Softmin(1)'],
  ['Softmax(dim 0)', () => new nn.Softmax(0), 'nn.Softmax(0)'],
  ['Softmax2d', () => new nn.Softmax2d(), 'nn.Softmax2d()', [2, 3, 2, 2]],
  ['LogSoftmax(dim -1)', () => new nn.LogSoftmax(-1), 'nn.LogSoftmax(-1)'],
  ['Identity', () => new nn.Identity(), 'nn.Identity()'],
];

/** Printed forms: TS module and the Python expression whose repr it must equal. */
const REPRS: [() => torch.nn.Module, string][] = [
  [() => new nn.Threshold(0.1, 20), 'nn.Threshold(0.1, 20.0)'],
  [() => new nn.Threshold(0.1, 20, { inplace: true }), 'nn.Threshold(0.1, 20.0, True)'],
  [() => new nn.ReLU(), 'nn.ReLU()'],
  [() => new nn.ReLU({ inplace: true }), 'nn.ReLU(True)'],
  [() => new nn.RReLU(), 'nn.RReLU()'],
  [() => new nn.RReLU(0.1, 0.3, { inplace: true }), 'nn.RReLU(0.1, 0.3, True)'],
  [() => new nn.Hardtanh(), 'nn.Hardtanh()'],
  [() => new nn.Hardtanh(-1, 1, { inplace: true }), 'nn.Hardtanh(inplace=True)'],
  [() => new nn.ReLU6(), 'nn.ReLU6()'],
  [() => new nn.ReLU6({ inplace: true }), 'nn.ReLU6(True)'],
  [() => new nn.Sigmoid(), 'nn.Sigmoid()'],
  [() => new nn.Hardsigmoid({ inplace: true }), 'nn.Hardsigmoid(True)'],
  [() => new nn.Tanh(), 'nn.Tanh()'],
  [() => new nn.SiLU({ inplace: true }), 'nn.SiLU(True)'],
  [() => new nn.Mish(), 'nn.Mish()'],
  [() => new nn.Mish({ inplace: true }), 'nn.Mish(True)'],
  [() => new nn.Hardswish(), 'nn.Hardswish()'],
  [() => new nn.ELU(), 'nn.ELU()'],
  [() => new nn.ELU(1, { inplace: true }), 'nn.ELU(inplace=True)'],
  [() => new nn.CELU(0.5), 'nn.CELU(0.5)'],
  [() => new nn.SELU({ inplace: true }), 'nn.SELU(True)'],
  [() => new nn.GLU(), 'nn.GLU()'],
  [() => new nn.GELU('tanh'), "nn.GELU('tanh')"],
  [() => new nn.Hardshrink(), 'nn.Hardshrink()'],
  [() => new nn.LeakyReLU(), 'nn.LeakyReLU()'],
  [() => new nn.LeakyReLU(0.2, { inplace: true }), 'nn.LeakyReLU(0.2, True)'],
  [() => new nn.LogSigmoid(), 'nn.LogSigmoid()'],
  [() => new nn.Softplus(), 'nn.Softplus()'],
  [() => new nn.Softshrink(), 'nn.Softshrink()'],
  [() => new nn.PReLU(3), 'nn.PReLU(3)'],
  [() => new nn.Softsign(), 'nn.Softsign()'],
  [() => new nn.Tanhshrink(), 'nn.Tanhshrink()'],
  [() => new nn.Softmin(1), 'nn.Softmin(1)'],
  [() => new nn.Softmax(), 'nn.Softmax()'],
  [() => new nn.Softmax(-1), 'nn.Softmax(-1)'],
  [() => new nn.Softmax2d(), 'nn.Softmax2d()'],
  [() => new nn.LogSoftmax(1), 'nn.LogSoftmax(1)'],
  [() => new nn.Sequential(new nn.Linear(2, 3), new nn.PReLU(), new nn.Dropout(0.1)), 'nn.Sequential(nn.Linear(2, 3), nn.PReLU(), nn.Dropout(0.1))'],
];

/** In-place layers: TS module, Python expression (the result must be the input object, values as Python's). */
const INPLACE: [() => torch.nn.Module, string][] = [
  [() => new nn.ReLU({ inplace: true }), 'nn.ReLU(True)'],
  [() => new nn.Threshold(0.5, -2, { inplace: true }), 'nn.Threshold(0.5, -2.0, True)'],
  [() => new nn.Hardtanh(-0.5, 0.5, { inplace: true }), 'nn.Hardtanh(-0.5, 0.5, True)'],
  [() => new nn.ReLU6({ inplace: true }), 'nn.ReLU6(True)'],
  [() => new nn.Hardsigmoid({ inplace: true }), 'nn.Hardsigmoid(True)'],
  [() => new nn.SiLU({ inplace: true }), 'nn.SiLU(True)'],
  [() => new nn.Mish({ inplace: true }), 'nn.Mish(True)'],
  [() => new nn.Hardswish({ inplace: true }), 'nn.Hardswish(True)'],
  [() => new nn.ELU(0.5, { inplace: true }), 'nn.ELU(0.5, True)'],
  [() => new nn.CELU(2, { inplace: true }), 'nn.CELU(2.0, True)'],
  [() => new nn.SELU({ inplace: true }), 'nn.SELU(True)'],
  [() => new nn.LeakyReLU(0.3, { inplace: true }), 'nn.LeakyReLU(0.3, True)'],
  [() => new nn.RReLU(0.1, 0.3, { inplace: true }).eval(), 'nn.RReLU(0.1, 0.3, True).eval()'],
];

const INPLACE_DATA = [[-3, -1.5, -0.25, 0, 0.25, 0.75, 2, 7]];

const PY_MISC = String.raw`
reprs = [repr(eval(e)) for e in D['reprs']]
x = torch.tensor(D['inplaceData'])
inplace = []
for e in D['inplace']:
    y = x.clone()
    out = eval(e)(y)
    inplace.append({'same': out is y, 'values': y.reshape(-1).tolist()})
big = nn.PReLU(1000)
out = {'reprs': reprs, 'inplace': inplace, 'prelu': {'keys': list(big.state_dict().keys()), 'mean': big.weight.mean().item(), 'std': big.weight.std().item(), 'requiresGrad': big.weight.requires_grad}}
`;

interface PyMisc {
  reprs: string[];
  inplace: { same: boolean; values: number[] }[];
  prelu: { keys: string[]; mean: number; std: number; requiresGrad: boolean };
}

describe('nn activations vs PyTorch', function () {
  this.timeout(120_000);

  describe('outputs and gradients', () => {
    moduleCases(
      ACTS.map(([name, make, build, shape], i) =>
        mcase({ name, make, build, inputs: x(100 + i, shape), call, pyCall: 'm(x)', train: !name.includes('(eval') }),
      ),
    );
  });

  describe('printed forms, in-place results, PReLU init', () => {
    let py: PyMisc;
    before(function () {
      if (!pythonHasTorch()) this.skip();
      py = ok(
        pyNN<PyMisc | PyError>([
          { kind: 'exec', code: PY_MISC, data: { reprs: REPRS.map(([, p]) => p), inplace: INPLACE.map(([, p]) => p), inplaceData: INPLACE_DATA } },
        ])[0],
        'misc',
      );
    });

    REPRS.forEach(([make, p], i) => {
      it(`prints ${p} as Python does`, () => {
        expect(String(make())).to.equal(py.reprs[i]);
      });
    });

    it("in-place layers return their input, overwritten with Python's values", () => {
      INPLACE.forEach(([make, p], i) => {
        const m = make() as unknown as { forward(t: Tensor): Tensor };
        const y = torch.tensor(INPLACE_DATA);
        const out = m.forward(y);
        expect(out, `${p} returns its input`).to.equal(y);
        expect(py.inplace[i].same, `${p}: Python returns its input too`).to.equal(true);
        const got = [...y.dataSync()];
        got.forEach((v, j) => expect(v, `${p}[${j}]`).to.be.closeTo(py.inplace[i].values[j], 1e-6));
        y.dispose();
      });
    });

    it('PReLU: one parameter named weight, filled with init (0.25), as Python', () => {
      const m = new nn.PReLU(1000);
      expect(Object.keys(m.stateDict())).to.deep.equal(py.prelu.keys);
      expect(m.weight.mean().item()).to.be.closeTo(py.prelu.mean, 1e-7);
      expect(m.weight.std().item()).to.be.closeTo(py.prelu.std, 1e-7);
      expect(m.weight.requiresGrad).to.equal(py.prelu.requiresGrad);
      expect(new nn.PReLU(2, { dtype: 'float64' }).weight.dtype).to.equal('float64');
    });
  });

  describe('train and eval', () => {
    it('RReLU draws slopes in [lower, upper] while training and uses their mean in eval', () => {
      const m = new nn.RReLU(0.1, 0.3);
      const input = torch.full([2000], -1, { dtype: 'float32' });
      const train = [...m.forward(input).dataSync()];
      expect(Math.min(...train)).to.be.at.least(-0.3 - 1e-6);
      expect(Math.max(...train)).to.be.at.most(-0.1 + 1e-6);
      expect(new Set(train.map((v) => v.toFixed(4))).size, 'slopes differ per element').to.be.greaterThan(100);
      m.eval();
      const ev = [...m.forward(input).dataSync()];
      ev.forEach((v) => expect(v).to.be.closeTo(-0.2, 1e-6));
    });
  });

  describe('constructor and call errors', () => {
    const cases: [string, () => unknown, ErrorConstructor, string][] = [
      ['ReLU unknown option', () => new nn.ReLU({ inPlace: true } as never), TypeError, "Unknown option 'inPlace' for ReLU; expected one of: inplace"],
      ['ReLU inplace not boolean', () => new nn.ReLU({ inplace: 1 } as never), TypeError, 'Expected a boolean for inplace but received 1 of type number'],
      [
        'LeakyReLU slope not a number',
        () => new nn.LeakyReLU('0.1' as never),
        TypeError,
        "Expected a number for negativeSlope but received '0.1' of type string",
      ],
      ['Threshold value missing', () => new nn.Threshold(0.1, undefined as never), TypeError, 'Expected a number for value but received undefined'],
      ['Hardtanh max <= min', () => new nn.Hardtanh(1, 1), RangeError, 'Expected a number greater than minVal (1) for maxVal but received 1 of type number'],
      ['CELU alpha 0', () => new nn.CELU(0), RangeError, 'Expected a non-zero number for alpha but received 0 of type number'],
      ['Softshrink negative lambd', () => new nn.Softshrink(-1), RangeError, 'Expected a non-negative number for lambd but received -1 of type number'],
      ['PReLU zero parameters', () => new nn.PReLU(0), RangeError, 'Expected a positive integer for numParameters but received 0 of type number'],
      [
        'PReLU unknown option',
        () => new nn.PReLU(1, { initial: 0.1 } as never),
        TypeError,
        "Unknown option 'initial' for PReLU; expected one of: init, device, dtype",
      ],
      ['Softmax fractional dim', () => new nn.Softmax(0.5), TypeError, 'Expected an integer for dim but received 0.5 of type number'],
      ['GLU fractional dim', () => new nn.GLU(1.5), TypeError, 'Expected an integer for dim but received 1.5 of type number'],
      ['GELU unknown approximation', () => new nn.GELU('fast' as never), TypeError, "Expected 'none' or 'tanh' for approximate but received 'fast'"],
      ['Softmax2d on 2-D input', () => new nn.Softmax2d().forward(torch.zeros([2, 3])), RangeError, 'Softmax2d: expected input to be 3D or 4D, got 2D instead'],
    ];
    for (const [name, fn, cls, msg] of cases) {
      it(name, () => {
        expect(fn).to.throw(cls, msg);
        try {
          fn();
        } catch (e) {
          expect((e as Error).message).to.equal(msg);
        }
      });
    }
  });

  it('Softmax2d matches softmax over dim -3 on 3-D input too', () => {
    const t = torch
      .tensor(
        fixedIn([
          [
            [1, 2],
            [3, 4],
          ],
          [
            [0, -1],
            [5, 2],
          ],
        ]).data as number[],
        { dtype: 'float32' },
      )
      .reshape([2, 2, 2]);
    const a = new nn.Softmax2d().forward(t);
    const b = t.softmax(0);
    expect([...a.dataSync()]).to.deep.equal([...b.dataSync()]);
  });
});
