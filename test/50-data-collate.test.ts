import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { collateBatch, collateBatchRaw, wrapCollatedBatch, PAD_IDX } from '../lib/bert/collate.js';
import type { RawBertSample } from '../lib/bert/dataset.js';
import { defaultCollate, defaultCollateRaw, wrapTensorData, isTensorData, type TensorData } from '../lib/torch/utils/data/index.js';
import { hasPythonTorch, runPython } from './helpers/python.js';

const raw = (input: number[], label: number[], seg: number[], isNext: number): RawBertSample => ({
  bertInput: Int32Array.from(input),
  bertLabel: Int32Array.from(label),
  segmentLabel: Uint8Array.from(seg),
  isNext,
});

const ITEMS = [
  raw([2, 5, 4, 3, 6, 3], [0, 0, 9, 0, 0, 0], [1, 1, 1, 1, 2, 2], 1),
  raw([2, 7, 3, 8, 9, 10, 11, 3], [0, 0, 0, 0, 31, 0, 0, 0], [1, 1, 1, 2, 2, 2, 2, 2], 0),
  raw([2, 4, 3, 12, 3], [0, 13, 0, 0, 0], [1, 1, 1, 2, 2], 1),
];

describe('50 data: collateBatch', () => {
  it('pads to the longest sequence, sequence-first [S, B], int64', () => {
    const [inputs, labels, segments, isNexts] = collateBatch(ITEMS);
    for (const t of [inputs, labels, segments, isNexts]) expect(t.dtype).to.equal('int64');
    expect(inputs.shape).to.deep.equal([8, 3]);
    expect(labels.shape).to.deep.equal([8, 3]);
    expect(segments.shape).to.deep.equal([8, 3]);
    expect(isNexts.shape).to.deep.equal([3]);
    expect(inputs.tolist()).to.deep.equal([
      [2, 2, 2],
      [5, 7, 4],
      [4, 3, 3],
      [3, 8, 12],
      [6, 9, 3],
      [3, 10, PAD_IDX],
      [PAD_IDX, 11, PAD_IDX],
      [PAD_IDX, 3, PAD_IDX],
    ]);
    expect(segments.select(1, 0).tolist()).to.deep.equal([1, 1, 1, 1, 2, 2, 0, 0]);
    expect(labels.select(1, 1).tolist()).to.deep.equal([0, 0, 0, 0, 31, 0, 0, 0]);
    expect(isNexts.tolist()).to.deep.equal([1, 0, 1]);
  });

  it('gives the same batch from tensor samples, plain arrays and raw samples', () => {
    const tensors = ITEMS.map((r) => ({
      bertInput: torch.tensor(Array.from(r.bertInput), { dtype: 'int64' }),
      bertLabel: torch.tensor(Array.from(r.bertLabel), { dtype: 'int64' }),
      segmentLabel: torch.tensor(Array.from(r.segmentLabel), { dtype: 'int64' }),
      isNext: torch.tensor(r.isNext, { dtype: 'int64' }),
    }));
    const arrays = ITEMS.map((r) => ({
      bertInput: Array.from(r.bertInput),
      bertLabel: Array.from(r.bertLabel),
      segmentLabel: Array.from(r.segmentLabel),
      isNext: r.isNext,
    }));
    const expected = collateBatch(ITEMS).map((t) => t.tolist());
    expect(collateBatch(tensors).map((t) => t.tolist())).to.deep.equal(expected);
    expect(wrapCollatedBatch(collateBatchRaw(arrays)).map((t) => t.tolist())).to.deep.equal(expected);
    const data = collateBatchRaw(ITEMS);
    expect([data.seqLen, data.batchSize]).to.deep.equal([8, 3]);
    expect(data.bertInputs).to.be.instanceOf(BigInt64Array);
    expect(collateBatchRaw(ITEMS, -1).bertInputs[3 * 7]).to.equal(-1n);
  });

  it('matches torch pad_sequence in Python', function () {
    if (!hasPythonTorch()) this.skip();
    const py = runPython<number[][][]>(
      `
import json, sys, torch
from torch.nn.utils.rnn import pad_sequence
items = json.loads(sys.stdin.read())
out = []
for key in ['bertInput', 'bertLabel', 'segmentLabel']:
    out.append(pad_sequence([torch.tensor(i[key], dtype=torch.long) for i in items], batch_first=False, padding_value=0).tolist())
out.append(torch.stack([torch.tensor(i['isNext'], dtype=torch.long) for i in items]).tolist())
print(json.dumps(out))
`,
      ITEMS.map((r) => ({ bertInput: [...r.bertInput], bertLabel: [...r.bertLabel], segmentLabel: [...r.segmentLabel], isNext: r.isNext })),
    );
    expect(collateBatch(ITEMS).map((t) => t.tolist())).to.deep.equal(py);
  });

  it('rejects an empty batch and ragged samples', () => {
    expect(() => collateBatch([])).to.throw(RangeError, 'collateBatch: the batch is empty');
    expect(() => collateBatch([raw([2, 3], [0], [1, 1], 1)])).to.throw(
      RangeError,
      'collateBatch: sample 0 has sequences of different lengths (bertInput 2, bertLabel 1, segmentLabel 2)',
    );
  });

  it('declares a raw collation for DataLoader workers', () => {
    const rc = collateBatch.rawCollate;
    expect(rc?.input).to.equal('raw');
    expect(rc?.exportName).to.equal('collateBatchRaw');
    expect(rc?.module).to.match(/lib\/bert\/collate\.[jt]s$/);
  });
});

describe('50 data: defaultCollate', () => {
  it('stacks tensors and turns numbers into int64 / float64 / bool tensors', () => {
    const a = torch.tensor([1, 2], { dtype: 'float32' });
    const b = torch.tensor([3, 4], { dtype: 'float32' });
    const out = defaultCollate([
      [a, 1, 0.5, true, 'x'],
      [b, 2, 1, false, 'y'],
    ]) as [torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, string[]];
    expect(out[0].shape).to.deep.equal([2, 2]);
    expect(out[0].dtype).to.equal('float32');
    expect(out[1].dtype).to.equal('int64');
    expect(out[1].tolist()).to.deep.equal([1, 2]);
    expect(out[2].dtype).to.equal('float64');
    expect(out[3].dtype).to.equal('bool');
    expect(out[4]).to.deep.equal(['x', 'y']);
  });

  it('collates objects key by key and typed arrays by their dtype', () => {
    const out = defaultCollate([
      { x: Int32Array.of(1, 2), y: { z: 1n } },
      { x: Int32Array.of(3, 4), y: { z: 2n } },
    ]) as { x: torch.Tensor; y: { z: torch.Tensor } };
    expect(out.x.dtype).to.equal('int32');
    expect(out.x.tolist()).to.deep.equal([
      [1, 2],
      [3, 4],
    ]);
    expect(out.y.z.dtype).to.equal('int64');
  });

  it('has a tensor-free form that wraps to the same result', () => {
    const batch = [
      { v: Float32Array.of(1, 2), n: 3, t: torch.tensor([1, 2]) },
      { v: Float32Array.of(3, 4), n: 4, t: torch.tensor([3, 4]) },
    ];
    const rawOut = defaultCollateRaw(batch) as { v: TensorData; n: TensorData; t: TensorData };
    expect(isTensorData(rawOut.v)).to.equal(true);
    expect(rawOut.v.shape).to.deep.equal([2, 2]);
    expect(rawOut.t.dtype).to.equal('int64');
    const wrapped = wrapTensorData(structuredClone(rawOut)) as Record<string, torch.Tensor>;
    const direct = defaultCollate(batch) as Record<string, torch.Tensor>;
    for (const k of ['v', 'n', 't']) {
      expect(wrapped[k].dtype).to.equal(direct[k].dtype);
      expect(wrapped[k].tolist()).to.deep.equal(direct[k].tolist());
    }
  });

  it('reports unsupported and ragged batches', () => {
    expect(() => defaultCollate([null, null])).to.throw(TypeError, 'default_collate: batch must contain');
    expect(() => defaultCollate([[1, 2], [3]])).to.throw(RangeError, 'each element in list of batch should be of equal size');
    expect(() => defaultCollate([Int32Array.of(1), Int32Array.of(1, 2)])).to.throw(RangeError, 'stack expects each tensor to be equal size');
    expect(() => defaultCollate([])).to.throw(RangeError, 'default_collate: the batch is empty');
  });
});
