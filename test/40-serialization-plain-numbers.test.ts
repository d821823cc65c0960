/**
 * torch.load returns plain numbers: a whole-valued Python float (0.0, 1e9)
 * loads as a JS number, usable at once (nn.Dropout(ck.model_args.dropout)),
 * and saving the same loaded object writes it as a float again, so a
 * checkpoint Python saved round-trips byte for byte and Python reads the
 * same float/int types back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { dumps, pyFloatKeys, type PyValue } from '../lib/torch/serialization/index.js';
import { ZipReader } from '../lib/torch/serialization/zip.js';
import { describe as desc, hasPythonTorch, py, tmpDir, type Desc } from './40-serialization-helpers.js';

const EXPR = `{'model_args': {'dropout': 0.0, 'n_layer': 2, 'bias': False, 'lr': 6e-4},
  'iter_num': 0, 'best_val_loss': 1e9, 'neg': -0.0, 'big': 2.0 ** 60,
  'nested': [1.0, 2, 0.5, (3.0, 4, [5.0, {'deep': 7.0}]), {'x': 0.0, 'y': 1}],
  'by_int': {0: 1.0, 1: 2}, 'od': OrderedDict([('a', 1.0), ('b', 1)])}`;

interface Ck {
  model_args: { dropout: number; n_layer: number; bias: boolean; lr: number };
  iter_num: number;
  best_val_loss: number;
  nested: PyValue[];
  by_int: Map<number, number>;
  od: Record<string, number>;
  [k: string]: unknown;
}

function pickleOf(file: string): Buffer {
  const z = ZipReader.fromBuffer(fs.readFileSync(file));
  const entry = z.entries.find((e) => e.name.endsWith('/data.pkl'));
  if (entry === undefined) throw new Error(`no data.pkl in ${file}`);
  return z.read(entry);
}

describe('40 serialization: torch.load returns plain numbers', function () {
  this.timeout(120_000);
  let dir: { dir: string; cleanup: () => void };
  let pyFile: string;
  before(function () {
    if (!hasPythonTorch()) this.skip();
    dir = tmpDir('plain-numbers-');
    pyFile = path.join(dir.dir, 'ckpt.pt');
    py('save', { expr: EXPR, path: pyFile });
  });
  after(() => dir?.cleanup());

  it('loads whole-valued floats as numbers, usable as layer arguments', () => {
    const ck = torch.load<Ck>(pyFile);
    expect(typeof ck.model_args.dropout).to.equal('number');
    expect(ck.model_args.dropout).to.equal(0);
    expect(ck.best_val_loss).to.equal(1e9);
    expect(ck.iter_num).to.equal(0);
    expect(Object.is(ck.neg, -0)).to.equal(true);
    expect(ck.big).to.equal(2 ** 60);
    expect(ck.nested[0]).to.equal(1);
    expect(ck.by_int.get(0)).to.equal(1);
    expect(ck.od.a).to.equal(1);
    // the port's failures: Dropout accepted the PyFloat and failed at forward and in printing
    const drop = new torch.nn.Dropout(ck.model_args.dropout);
    expect(String(drop)).to.equal('Dropout(p=0.0, inplace=False)');
    const x = torch.ones([2, 3]);
    expect([...drop.forward(x).dataSync()]).to.deep.equal([1, 1, 1, 1, 1, 1]);
    expect(ck.best_val_loss.toExponential()).to.equal('1e+9');
    // which entries were floats is remembered by each container
    expect([...pyFloatKeys(ck.model_args)]).to.deep.equal(['dropout']);
    expect([...pyFloatKeys(ck)].sort()).to.deep.equal(['best_val_loss', 'big', 'neg']);
    expect([...pyFloatKeys(ck.nested)]).to.deep.equal([0]);
    expect([...pyFloatKeys(ck.by_int)]).to.deep.equal([0]);
  });

  it('describes every value with the same float/int types as Python', () => {
    const ck = torch.load(pyFile);
    const expected = py<{ ok: Desc }>('describe', { path: pyFile }).ok;
    expect(desc(ck)).to.deep.equal(expected);
  });

  it('saves the loaded object back byte for byte, and Python reads the same types', () => {
    const ck = torch.load<Ck>(pyFile);
    const out = path.join(dir.dir, 'resaved.pt');
    torch.save(ck, out);
    expect(pickleOf(out).toString('hex')).to.equal(pickleOf(pyFile).toString('hex'));
    const back = py<{ ok: Desc }>('describe', { path: out }).ok;
    const orig = py<{ ok: Desc }>('describe', { path: pyFile }).ok;
    expect(back).to.deep.equal(orig);
  });

  it('a float slot stays a float when reassigned; new or int slots write ints', () => {
    const ck = torch.load<Ck>(pyFile);
    ck.model_args.dropout = 1; // was 0.0: still a Python float
    ck.model_args.n_layer = 4; // was an int
    (ck.model_args as Record<string, unknown>).added = 5; // new key: int
    const types = py<{ repr: string }[]>('unpickle', [dumps(ck.model_args as unknown as PyValue).toString('hex')]);
    expect(types[0].repr).to.equal("{'dropout': 1.0, 'n_layer': 4, 'bias': False, 'lr': 0.0006, 'added': 5}");
  });

  it('a copy does not carry the marks (documented): spread objects write whole numbers as ints', () => {
    const ck = torch.load<Ck>(pyFile);
    const copy = { ...ck.model_args };
    const types = py<{ repr: string }[]>('unpickle', [dumps(copy as unknown as PyValue).toString('hex')]);
    expect(types[0].repr).to.equal("{'dropout': 0, 'n_layer': 2, 'bias': False, 'lr': 0.0006}");
  });
});
