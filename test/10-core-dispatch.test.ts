/**
 * The native operator call: common schema shapes take the unboxed fast path,
 * both paths give the same results, arguments the fast path does not take fall
 * back to the boxed path with its precise errors; tensors dropped outside
 * scopes are still freed by the garbage collector.
 */
import { expect } from 'chai';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { native } from '../lib/torch/native.js';
import { wrap } from '../lib/torch/handle.js';
import { errorOf } from './helpers/python.js';

const info = (name: string, overload = '') => native.opInfo(native.lookupOp(name, overload));
const call = (name: string, overload: string, ...args: unknown[]) => wrap<Tensor>(native.callOp(native.lookupOp(name, overload), ...args));

describe('10 core: operator dispatch', () => {
  it('calls the hot operators unboxed and reports the rest as boxed', () => {
    const fast: [string, string, string][] = [
      ['aten::add', 'Tensor', 'TTS'],
      ['aten::mul', 'Scalar', 'TS'],
      ['aten::tanh', '', 'T'],
      ['aten::matmul', '', 'TT'],
      ['aten::add_', 'Tensor', 'WTS'],
      ['aten::sum', '', 'TY'],
      ['aten::softmax', 'int', 'TIY'],
      ['aten::view', '', 'TZ'],
      ['aten::index', 'Tensor', 'TQ'],
      ['aten::zeros', '', 'ZYLVP'],
      ['aten::linear', '', 'TTO'],
      ['aten::layer_norm', '', 'TNOODB'],
      ['aten::embedding', '', 'TTIBB'],
      ['aten::dropout', '', 'TDB'],
    ];
    for (const [name, overload, shape] of fast) {
      const i = info(name, overload);
      expect(i.call, `${i.schema}`).to.equal(shape);
    }
    expect(info('aten::cat', '').call).to.match(/\(boxed\)$/);
    expect(info('aten::max', 'dim').call).to.match(/\(boxed\)$/); // two results
    expect(info('aten::add', 'Tensor').schema).to.equal('aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor');
  });

  it('gives the same results when an argument sends the call down the boxed path', () => {
    torch.manualSeed(0);
    const a = torch.randn(4, 5);
    const b = torch.randn(4, 5);
    const idx = torch.tensor([3, 0, 1]);
    // BigInt scalars and sizes are taken only by the boxed path.
    const pairs: [Tensor, Tensor][] = [
      [call('aten::add', 'Tensor', a._h, b._h, 2), call('aten::add', 'Tensor', a._h, b._h, 2n)],
      [call('aten::mul', 'Scalar', a._h, 3), call('aten::mul', 'Scalar', a._h, 3n)],
      [call('aten::view', '', a._h, [5, 4]), call('aten::view', '', a._h, [5n, 4n])],
      [call('aten::softmax', 'int', a._h, 1), call('aten::softmax', 'int', a._h, 1n)],
      [call('aten::index', 'Tensor', a._h, [idx._h]), call('aten::index_select', '', a._h, 0, idx._h)],
      [call('aten::zeros', '', [2, 3], 6), call('aten::zeros', '', [2n, 3n], 6)],
    ];
    for (const [x, y] of pairs) {
      expect(x.shape).to.deep.equal(y.shape);
      expect(x.dtype).to.equal(y.dtype);
      expect(Array.from(x.dataSync())).to.deep.equal(Array.from(y.dataSync()));
    }
    const c = a.clone();
    expect(native.callOp(native.lookupOp('aten::add_', 'Tensor'), c._h, b._h, 1)).to.equal(undefined);
    expect(Array.from(c.dataSync())).to.deep.equal(Array.from(a.add(b).dataSync()));
    torch.dispose([a, b, idx, c, pairs]);
  });

  it('looking an operator up again gives its id, however often (the table of 8192 never fills)', () => {
    const add = native.lookupOp('aten::add', 'Tensor');
    for (let i = 0; i < 10_000; i++) expect(native.lookupOp('aten::add', 'Tensor')).to.equal(add);
    const mul = native.lookupOp('aten::mul', 'Tensor');
    expect(mul).to.not.equal(add);
    expect(native.opInfo(mul).name).to.equal('aten::mul.Tensor');
  });

  it("keeps the boxed path's errors for arguments the fast path declines", () => {
    const a = torch.ones(2, 2);
    const d = torch.ones(2, 2);
    d.dispose();
    const add = native.lookupOp('aten::add', 'Tensor');
    let e = errorOf(() => native.callOp(add, a._h, d._h));
    expect(e).to.be.instanceOf(torch.TorchError);
    expect(e.message).to.equal('Tensor has been disposed');
    e = errorOf(() => native.callOp(add, a._h, a._h, 'two'));
    expect(e).to.be.instanceOf(TypeError);
    expect(e.message).to.equal("Expected a number, boolean or bigint for aten::add.Tensor argument 'alpha' but received 'two' of type string");
    e = errorOf(() => native.callOp(add, a._h));
    expect(e.message).to.equal("aten::add.Tensor: missing argument 'other'");
    e = errorOf(() => native.callOp(native.lookupOp('aten::view', ''), a._h, [2.5]));
    expect(e).to.be.instanceOf(TypeError);
    expect(e.message).to.equal("Expected an integer for aten::view argument 'size'[0] but received 2.5 of type number");
    e = errorOf(() => native.callOp(native.lookupOp('aten::index', 'Tensor'), a._h, [a._h.toString()]));
    expect(e).to.be.instanceOf(TypeError);
    expect(e.message).to.match(/^Expected a tensor handle but received/);
    e = errorOf(() => native.callOp(native.lookupOp('aten::zeros', ''), [2, 2], 6, undefined, 'gpu'));
    expect(e.message).to.match(/device/i);
    a.dispose();
  });

  it('frees tensors dropped outside every scope once the garbage collector runs', async function () {
    this.timeout(60_000);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const collect = async () => {
      for (let i = 0; i < 5; i++) {
        gc();
        await nextTurn();
      }
    };
    await collect();
    const before = torch.memory().numTensors;
    // Some are disposed at once (never registered with the collector), some
    // dropped. (In a function of its own: a suspended async frame may keep its
    // last local alive.)
    const churn = async () => {
      for (let i = 0; i < 3000; i++) {
        const t = torch.zeros(64);
        if (i % 2 === 0) t.dispose();
        if (i % 1000 === 999) await nextTurn();
      }
      for (let i = 0; i < 5000; i++) torch.ones(1); // one synchronous stretch, past the pending list's limit
    };
    await churn();
    await collect();
    expect(torch.memory().numTensors).to.equal(before);
  });
});
