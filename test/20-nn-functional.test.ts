/**
 * nn.functional and the loss modules against PyTorch: every case runs in
 * one Python process (test/helpers/python.ts refBatch); outputs and the
 * gradients of every float input (backpropagating linspace(-1, 1) over the
 * output) must agree.
 */
import * as torch from '../lib/torch/index.js';
import { Data, refBatch, spec } from './helpers/python.js';

const F = torch.nn.functional;
const nn = torch.nn;

const d = new Data(20);
const u = (shape: number[], lo = -2, hi = 2) => spec(d.uniform(shape, lo, hi));
const ints = (shape: number[], lo: number, hi: number) => spec(d.ints(shape, lo, hi), 'int64');
const fixed = <T>(data: T, dtype: 'float32' | 'int64' | 'bool' = 'float32') => spec(data as never, dtype, false);

/** Rows of class probabilities (positive, summing to 1). */
function probs(n: number, c: number): ReturnType<typeof spec> {
  const rows = Array.from({ length: n }, () => Array.from({ length: c }, () => 0.05 + d.next()));
  return spec(
    rows.map((r) => {
      const s = r.reduce((a, b) => a + b, 0);
      return r.map((x) => Math.round((x / s) * 1e4) / 1e4);
    }),
  );
}

describe('nn.functional and losses vs PyTorch', function () {
  this.timeout(120_000);
  const ref = refBatch();
  const g = { grad: true };

  describe('linear, embedding, dropout, layerNorm', () => {
    ref.it('linear with bias', { x: u([4, 5]), w: u([3, 5]), b: u([3]) }, 'F.linear(x, w, b)', ({ x, w, b }) => F.linear(x, w, b), g);
    ref.it('linear without bias on 3-D input', { x: u([2, 4, 5]), w: u([3, 5]) }, 'F.linear(x, w)', ({ x, w }) => F.linear(x, w), g);
    ref.it('embedding', { i: ints([3, 4], 0, 6), w: u([6, 3]) }, 'F.embedding(i, w)', ({ i, w }) => F.embedding(i, w), g);
    ref.it(
      'embedding with paddingIdx',
      {
        i: fixed(
          [
            [1, 2, 1],
            [0, 1, 5],
          ],
          'int64',
        ),
        w: u([6, 3]),
      },
      'F.embedding(i, w, padding_idx=1)',
      ({ i, w }) => F.embedding(i, w, { paddingIdx: 1 }),
      g,
    );
    ref.it(
      'embedding with negative paddingIdx',
      {
        i: fixed(
          [
            [5, 2, 4],
            [4, 4, 5],
          ],
          'int64',
        ),
        w: u([6, 3]),
      },
      'F.embedding(i, w, padding_idx=-2)',
      ({ i, w }) => F.embedding(i, w, { paddingIdx: -2 }),
      g,
    );
    ref.it(
      'dropout with training false is the identity',
      { x: u([3, 4]) },
      'F.dropout(x, p=0.4, training=False)',
      ({ x }) => F.dropout(x, { p: 0.4, training: false }),
      g,
    );
    ref.it('dropout with p 0 is the identity', { x: u([3, 4]) }, 'F.dropout(x, p=0.0)', ({ x }) => F.dropout(x, { p: 0 }), g);
    ref.it('dropout with p 1 zeroes everything', { x: u([3, 4]) }, 'F.dropout(x, p=1.0)', ({ x }) => F.dropout(x, { p: 1 }), g);
    ref.it(
      'layerNorm with weight and bias',
      { x: u([3, 5]), w: u([5]), b: u([5]) },
      'F.layer_norm(x, [5], w, b)',
      ({ x, w, b }) => F.layerNorm(x, [5], { weight: w, bias: b }),
      g,
    );
    ref.it(
      'layerNorm without affine, 2 normalized dims, eps 0.1',
      { x: u([2, 3, 4]) },
      'F.layer_norm(x, [3, 4], eps=0.1)',
      ({ x }) => F.layerNorm(x, [3, 4], { eps: 0.1 }),
      g,
    );
  });

  describe('activations and softmax', () => {
    ref.it('relu', { x: u([4, 5]) }, 'F.relu(x)', ({ x }) => F.relu(x), g);
    ref.it('gelu exact', { x: u([4, 5], -5, 5) }, 'F.gelu(x)', ({ x }) => F.gelu(x), g);
    ref.it('gelu tanh', { x: u([4, 5], -5, 5) }, "F.gelu(x, approximate='tanh')", ({ x }) => F.gelu(x, { approximate: 'tanh' }), g);
    ref.it('softmax dim 0', { x: u([3, 4]) }, 'F.softmax(x, 0)', ({ x }) => F.softmax(x, 0), g);
    ref.it('softmax dim -1 on 3-D', { x: u([2, 3, 4], -6, 6) }, 'F.softmax(x, -1)', ({ x }) => F.softmax(x, -1), g);
    ref.it('softmax to float64', { x: u([2, 4]) }, 'F.softmax(x, 1, dtype=torch.float64)', ({ x }) => F.softmax(x, 1, { dtype: 'float64' }), g);
    ref.it('logSoftmax dim 1', { x: u([3, 4], -8, 8) }, 'F.log_softmax(x, 1)', ({ x }) => F.logSoftmax(x, 1), g);
    ref.it('logSoftmax dim 0 on 3-D', { x: u([3, 2, 4]) }, 'F.log_softmax(x, 0)', ({ x }) => F.logSoftmax(x, 0), g);
  });

  describe('crossEntropy', () => {
    const x = u([6, 4], -3, 3);
    const t = fixed([0, 3, 1, 1, 2, 3], 'int64');
    const tIgn = fixed([0, -100, 1, 2, -100, 3], 'int64');
    const w = spec([0.5, 2, 1, 0.25], 'float32', false);
    ref.it('class indices, mean', { x, t }, 'F.cross_entropy(x, t)', ({ x, t }) => F.crossEntropy(x, t), g);
    ref.it('default ignoreIndex -100', { x, t: tIgn }, 'F.cross_entropy(x, t)', ({ x, t }) => F.crossEntropy(x, t), g);
    ref.it('ignoreIndex 1', { x, t }, 'F.cross_entropy(x, t, ignore_index=1)', ({ x, t }) => F.crossEntropy(x, t, { ignoreIndex: 1 }), g);
    ref.it('labelSmoothing 0.2', { x, t }, 'F.cross_entropy(x, t, label_smoothing=0.2)', ({ x, t }) => F.crossEntropy(x, t, { labelSmoothing: 0.2 }), g);
    ref.it('weight (weighted mean)', { x, t, w }, 'F.cross_entropy(x, t, weight=w)', ({ x, t, w }) => F.crossEntropy(x, t, { weight: w }), g);
    ref.it('reduction none', { x, t: tIgn }, "F.cross_entropy(x, t, reduction='none')", ({ x, t }) => F.crossEntropy(x, t, { reduction: 'none' }), g);
    ref.it('reduction sum', { x, t }, "F.cross_entropy(x, t, reduction='sum')", ({ x, t }) => F.crossEntropy(x, t, { reduction: 'sum' }), g);
    ref.it(
      'weight + ignoreIndex + labelSmoothing, mean',
      { x, t: tIgn, w },
      'F.cross_entropy(x, t, weight=w, label_smoothing=0.1)',
      ({ x, t, w }) => F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.1 }),
      g,
    );
    ref.it(
      'weight + labelSmoothing, reduction sum',
      { x, t, w },
      "F.cross_entropy(x, t, weight=w, label_smoothing=0.3, reduction='sum')",
      ({ x, t, w }) => F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.3, reduction: 'sum' }),
      g,
    );
    ref.it(
      'K-dim input [N, C, d] with ignored targets',
      {
        x: u([2, 4, 3]),
        t: fixed(
          [
            [0, -100, 3],
            [2, 1, -100],
          ],
          'int64',
        ),
      },
      'F.cross_entropy(x, t)',
      ({ x, t }) => F.crossEntropy(x, t),
      g,
    );
    const p = probs(6, 4);
    ref.it('class-probability targets, mean', { x, p }, 'F.cross_entropy(x, p)', ({ x, p }) => F.crossEntropy(x, p), g);
    ref.it(
      'class-probability targets with labelSmoothing',
      { x, p },
      'F.cross_entropy(x, p, label_smoothing=0.25)',
      ({ x, p }) => F.crossEntropy(x, p, { labelSmoothing: 0.25 }),
      g,
    );
    ref.it(
      'class-probability targets with weight, reduction none',
      { x, p, w },
      "F.cross_entropy(x, p, weight=w, reduction='none')",
      ({ x, p, w }) => F.crossEntropy(x, p, { weight: w, reduction: 'none' }),
      g,
    );
    ref.it(
      'class-probability targets, reduction sum',
      { x, p },
      "F.cross_entropy(x, p, reduction='sum')",
      ({ x, p }) => F.crossEntropy(x, p, { reduction: 'sum' }),
      g,
    );
    ref.it(
      "target out of range raises libtorch's error",
      { x, t: fixed([0, 4, 1, 1, 2, 3], 'int64') },
      'F.cross_entropy(x, t)',
      ({ x, t }) => F.crossEntropy(x, t),
      { error: true },
    );
  });

  describe('nllLoss, mseLoss, l1Loss, binaryCrossEntropyWithLogits', () => {
    const lp = u([5, 3], -4, 0);
    const t = fixed([2, 0, 1, -100, 2], 'int64');
    const w = spec([1.5, 0.5, 2], 'float32', false);
    ref.it('nllLoss mean with ignored target', { lp, t }, 'F.nll_loss(lp, t)', ({ lp, t }) => F.nllLoss(lp, t), g);
    ref.it('nllLoss weight', { lp, t, w }, 'F.nll_loss(lp, t, weight=w)', ({ lp, t, w }) => F.nllLoss(lp, t, { weight: w }), g);
    ref.it(
      'nllLoss ignoreIndex 2, reduction none',
      { lp, t: fixed([2, 0, 1, 1, 2], 'int64') },
      "F.nll_loss(lp, t, ignore_index=2, reduction='none')",
      ({ lp, t }) => F.nllLoss(lp, t, { ignoreIndex: 2, reduction: 'none' }),
      g,
    );
    ref.it('nllLoss reduction sum', { lp, t }, "F.nll_loss(lp, t, reduction='sum')", ({ lp, t }) => F.nllLoss(lp, t, { reduction: 'sum' }), g);
    const a = u([3, 4]),
      b = u([3, 4]);
    for (const r of ['mean', 'sum', 'none'] as const) {
      ref.it(`mseLoss ${r}`, { a, b }, `F.mse_loss(a, b, reduction='${r}')`, ({ a, b }) => F.mseLoss(a, b, { reduction: r }), g);
      ref.it(`l1Loss ${r}`, { a, b }, `F.l1_loss(a, b, reduction='${r}')`, ({ a, b }) => F.l1Loss(a, b, { reduction: r }), g);
    }
    const z = u([4, 3], -4, 4);
    const y = spec(d.ints([4, 3], 0, 2), 'float32');
    const bw = spec([[0.5], [1], [2], [1.5]], 'float32', false);
    const pw = spec([3, 0.5, 1], 'float32', false);
    ref.it('binaryCrossEntropyWithLogits mean', { z, y }, 'F.binary_cross_entropy_with_logits(z, y)', ({ z, y }) => F.binaryCrossEntropyWithLogits(z, y), g);
    ref.it(
      'binaryCrossEntropyWithLogits weight (broadcast)',
      { z, y, bw },
      'F.binary_cross_entropy_with_logits(z, y, weight=bw)',
      ({ z, y, bw }) => F.binaryCrossEntropyWithLogits(z, y, { weight: bw }),
      g,
    );
    ref.it(
      'binaryCrossEntropyWithLogits posWeight, reduction sum',
      { z, y, pw },
      "F.binary_cross_entropy_with_logits(z, y, pos_weight=pw, reduction='sum')",
      ({ z, y, pw }) => F.binaryCrossEntropyWithLogits(z, y, { posWeight: pw, reduction: 'sum' }),
      g,
    );
    ref.it(
      'binaryCrossEntropyWithLogits weight + posWeight, reduction none',
      { z, y, bw, pw },
      "F.binary_cross_entropy_with_logits(z, y, weight=bw, pos_weight=pw, reduction='none')",
      ({ z, y, bw, pw }) => F.binaryCrossEntropyWithLogits(z, y, { weight: bw, posWeight: pw, reduction: 'none' }),
      g,
    );
    ref.it(
      'binaryCrossEntropyWithLogits soft targets',
      { z, y: u([4, 3], 0, 1) },
      'F.binary_cross_entropy_with_logits(z, y)',
      ({ z, y }) => F.binaryCrossEntropyWithLogits(z, y),
      g,
    );
  });

  describe('loss modules', () => {
    const x = u([5, 4], -3, 3);
    const t = fixed([3, 0, -100, 1, 2], 'int64');
    const w = spec([0.5, 2, 1, 0.25], 'float32', false);
    ref.it('CrossEntropyLoss defaults', { x, t }, 'torch.nn.CrossEntropyLoss()(x, t)', ({ x, t }) => new nn.CrossEntropyLoss().forward(x, t), g);
    ref.it(
      'CrossEntropyLoss(weight, ignoreIndex, labelSmoothing, sum)',
      { x, t: fixed([3, 0, 2, 1, 2], 'int64'), w },
      "torch.nn.CrossEntropyLoss(weight=w, ignore_index=2, label_smoothing=0.15, reduction='sum')(x, t)",
      ({ x, t, w }) => new nn.CrossEntropyLoss({ weight: w, ignoreIndex: 2, labelSmoothing: 0.15, reduction: 'sum' }).forward(x, t),
      g,
    );
    ref.it(
      'CrossEntropyLoss with class-probability targets',
      { x, p: probs(5, 4) },
      'torch.nn.CrossEntropyLoss(label_smoothing=0.1)(x, p)',
      ({ x, p }) => new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(x, p),
      g,
    );
    ref.it(
      'NLLLoss(weight, reduction none)',
      { x, t, w },
      "torch.nn.NLLLoss(weight=w, reduction='none')(x, t)",
      ({ x, t, w }) => new nn.NLLLoss({ weight: w, reduction: 'none' }).forward(x, t),
      g,
    );
    ref.it(
      'NLLLoss(ignoreIndex 0)',
      { x, t: fixed([3, 0, 0, 1, 2], 'int64') },
      'torch.nn.NLLLoss(ignore_index=0)(x, t)',
      ({ x, t }) => new nn.NLLLoss({ ignoreIndex: 0 }).forward(x, t),
      g,
    );
    const a = u([2, 5]),
      b = u([2, 5]);
    ref.it('MSELoss()', { a, b }, 'torch.nn.MSELoss()(a, b)', ({ a, b }) => new nn.MSELoss().forward(a, b), g);
    ref.it("MSELoss('sum')", { a, b }, "torch.nn.MSELoss(reduction='sum')(a, b)", ({ a, b }) => new nn.MSELoss({ reduction: 'sum' }).forward(a, b), g);
    ref.it('L1Loss()', { a, b }, 'torch.nn.L1Loss()(a, b)', ({ a, b }) => new nn.L1Loss().forward(a, b), g);
    ref.it("L1Loss('none')", { a, b }, "torch.nn.L1Loss(reduction='none')(a, b)", ({ a, b }) => new nn.L1Loss({ reduction: 'none' }).forward(a, b), g);
    const z = u([3, 4]);
    const y = spec(d.ints([3, 4], 0, 2), 'float32');
    const pw = spec([2, 1, 0.5, 4], 'float32', false);
    ref.it(
      'BCEWithLogitsLoss(posWeight, weight)',
      { z, y, pw, bw: spec([1, 2, 0.5, 1], 'float32', false) },
      'torch.nn.BCEWithLogitsLoss(weight=bw, pos_weight=pw)(z, y)',
      ({ z, y, pw, bw }) => new nn.BCEWithLogitsLoss({ weight: bw, posWeight: pw }).forward(z, y),
      g,
    );
    ref.it(
      "BCEWithLogitsLoss('sum')",
      { z, y },
      "torch.nn.BCEWithLogitsLoss(reduction='sum')(z, y)",
      ({ z, y }) => new nn.BCEWithLogitsLoss({ reduction: 'sum' }).forward(z, y),
      g,
    );
  });

  describe('pad', () => {
    const x = u([2, 3, 4]);
    ref.it('last dim [1, 2]', { x }, 'F.pad(x, [1, 2])', ({ x }) => F.pad(x, [1, 2]), g);
    ref.it('last two dims with value', { x }, 'F.pad(x, [0, 1, 2, 0], value=3.5)', ({ x }) => F.pad(x, [0, 1, 2, 0], { value: 3.5 }), g);
    ref.it('three dims', { x }, 'F.pad(x, [1, 0, 0, 1, 1, 1])', ({ x }) => F.pad(x, [1, 0, 0, 1, 1, 1]), g);
    ref.it('negative padding crops', { x }, 'F.pad(x, [-1, 2, 1, -2])', ({ x }) => F.pad(x, [-1, 2, 1, -2]), g);
    ref.it('int64 input', { i: ints([2, 3], 0, 9) }, "F.pad(i, [2, 1], mode='constant', value=7)", ({ i }) => F.pad(i, [2, 1], { mode: 'constant', value: 7 }));
  });

  describe('scaledDotProductAttention', () => {
    const q = u([2, 2, 3, 4]),
      k = u([2, 2, 5, 4]),
      v = u([2, 2, 5, 4]);
    ref.it('no mask', { q, k, v }, 'F.scaled_dot_product_attention(q, k, v)', ({ q, k, v }) => F.scaledDotProductAttention(q, k, v), { grad: true });
    ref.it(
      'bool mask (true keeps)',
      {
        q,
        k,
        v,
        m: fixed(
          [
            [true, true, false, true, false],
            [true, false, false, false, false],
            [false, true, true, true, true],
          ],
          'bool',
        ),
      },
      'F.scaled_dot_product_attention(q, k, v, attn_mask=m)',
      ({ q, k, v, m }) => F.scaledDotProductAttention(q, k, v, { attnMask: m }),
      { grad: true },
    );
    ref.it(
      'float mask (added), broadcast per batch',
      { q, k, v, m: u([2, 1, 3, 5]) },
      'F.scaled_dot_product_attention(q, k, v, attn_mask=m)',
      ({ q, k, v, m }) => F.scaledDotProductAttention(q, k, v, { attnMask: m }),
      { grad: true },
    );
    ref.it(
      'isCausal',
      { q, k: u([2, 2, 3, 4]), v: u([2, 2, 3, 4]) },
      'F.scaled_dot_product_attention(q, k, v, is_causal=True)',
      ({ q, k, v }) => F.scaledDotProductAttention(q, k, v, { isCausal: true }),
      { grad: true },
    );
    ref.it(
      'custom scale on 3-D inputs',
      { q: u([3, 2, 4]), k: u([3, 6, 4]), v: u([3, 6, 2]) },
      'F.scaled_dot_product_attention(q, k, v, scale=0.3)',
      ({ q, k, v }) => F.scaledDotProductAttention(q, k, v, { scale: 0.3 }),
      { grad: true },
    );
    ref.it(
      'dropout draws as PyTorch does under one seed',
      { q, k, v },
      'F.scaled_dot_product_attention(q, k, v, dropout_p=0.4)',
      ({ q, k, v }) => F.scaledDotProductAttention(q, k, v, { dropoutP: 0.4 }),
      { grad: true, seed: 3 },
    );
    ref.it(
      'mismatched head sizes',
      { q, k: u([2, 2, 5, 3]), v },
      'F.scaled_dot_product_attention(q, k, v)',
      ({ q, k, v }) => F.scaledDotProductAttention(q, k, v),
      { error: true },
    );
  });

  describe('libtorch errors surface with their messages', () => {
    ref.it('linear on the wrong feature size', { x: u([2, 3]), w: u([4, 5]) }, 'F.linear(x, w)', ({ x, w }) => F.linear(x, w), { error: true });
    ref.it('Linear module on the wrong feature size', { x: u([2, 3]) }, 'torch.nn.Linear(4, 5)(x)', ({ x }) => new nn.Linear(4, 5).forward(x), { error: true });
    ref.it('nllLoss with a batch size mismatch', { lp: u([3, 4]), t: fixed([0, 1], 'int64') }, 'F.nll_loss(lp, t)', ({ lp, t }) => F.nllLoss(lp, t), {
      error: true,
    });
    ref.it('embedding index out of range', { i: fixed([0, 7], 'int64'), w: u([6, 2]) }, 'F.embedding(i, w)', ({ i, w }) => F.embedding(i, w), { error: true });
    ref.it('layerNorm with a wrong normalized shape', { x: u([2, 3]) }, 'F.layer_norm(x, [4])', ({ x }) => F.layerNorm(x, [4]), { error: true });
  });
});
