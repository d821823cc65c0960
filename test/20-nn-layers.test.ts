/**
 * nn layers against PyTorch: the TS module's weights go to Python
 * (load_state_dict), both sides run the same inputs in train mode with grad
 * (dropout 0 where a layer has it), and the outputs, the input gradients and
 * every parameter gradient must agree within float32 tolerance. State dict
 * keys/shapes and parameter names are compared for every case too.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { fixedIn, intIn, jitter, mcase, moduleCases, randIn, type Enc, type ModuleResult } from './20-nn-helpers.js';

const nn = torch.nn;

// ------------------------------------------------------------------ masks (never a fully masked row)
const E = 8,
  H = 2,
  L = 4,
  S = 5,
  B = 3;

/** [B, S] bool: batch b pads its last b positions. */
function kpmBool(b: number, s: number): Enc {
  return fixedIn(
    Array.from({ length: b }, (_, i) => Array.from({ length: s }, (_, j) => j >= s - i)),
    'bool',
  );
}
/** [B, S] float additive: -inf where kpmBool pads, small finite values elsewhere. */
function kpmFloat(b: number, s: number): Enc {
  return fixedIn(
    Array.from({ length: b }, (_, i) => Array.from({ length: s }, (_, j) => (j >= s - i ? -Infinity : ((i + 2 * j) % 3) * -0.75))),
    'float32',
  );
}
/** [L, S] bool: true (not allowed) above the diagonal + 1. */
function attn2dBool(l: number, s: number): Enc {
  return fixedIn(
    Array.from({ length: l }, (_, i) => Array.from({ length: s }, (_, j) => j > i + 1)),
    'bool',
  );
}
/** [L, S] float: finite values, -inf above the diagonal + 2. */
function attn2dFloat(l: number, s: number): Enc {
  return fixedIn(
    Array.from({ length: l }, (_, i) => Array.from({ length: s }, (_, j) => (j > i + 2 ? -Infinity : ((i * 7 + j * 3) % 5) * 0.4 - 0.8))),
    'float32',
  );
}
/** [n, L, S] bool: pseudo-random, key 0 always allowed. */
function attn3dBool(n: number, l: number, s: number): Enc {
  return fixedIn(
    Array.from({ length: n }, (_, b) => Array.from({ length: l }, (_, i) => Array.from({ length: s }, (_, j) => j > 0 && (b * 5 + i * 3 + j * 7) % 3 === 0))),
    'bool',
  );
}
/** [n, L, S] float: finite pseudo-random values. */
function attn3dFloat(n: number, l: number, s: number): Enc {
  return fixedIn(
    Array.from({ length: n }, (_, b) => Array.from({ length: l }, (_, i) => Array.from({ length: s }, (_, j) => ((b * 5 + i * 3 + j * 7) % 9) * 0.25 - 1))),
    'float32',
  );
}

/** MultiheadAttention's [output, weights]. */
const mha = (m: torch.nn.MultiheadAttention, q: Tensor, k: Tensor, v: Tensor, opts: torch.nn.AttentionCallOptions = {}) => {
  const [o, w] = m.forward(q, k, v, opts);
  return [o, w];
};

const PRETRAINED = fixedIn(
  Array.from({ length: 6 }, (_, i) => Array.from({ length: 3 }, (_, j) => Math.round((i * 0.37 - j * 0.21 + 0.05) * 1000) / 1000)),
  'float32',
);

const PRETRAINED_PY = JSON.stringify({ shape: PRETRAINED.shape, data: PRETRAINED.data });

describe('nn layers vs PyTorch (outputs and all gradients)', function () {
  this.timeout(120_000);

  describe('Linear, Embedding, LayerNorm, activations, Dropout(eval)', () => {
    moduleCases([
      mcase({
        name: 'Linear with bias on [N, in]',
        make: () => new nn.Linear(5, 3),
        build: 'nn.Linear(5, 3)',
        inputs: { x: randIn([4, 5], 1) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Linear without bias on [N, T, in]',
        make: () => new nn.Linear(5, 3, { bias: false }),
        build: 'nn.Linear(5, 3, bias=False)',
        inputs: { x: randIn([2, 3, 5], 2) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Embedding with paddingIdx (padding row gets no gradient)',
        make: () => new nn.Embedding(10, 4, { paddingIdx: 2 }),
        build: 'nn.Embedding(10, 4, padding_idx=2)',
        inputs: {
          i: fixedIn(
            [
              [2, 3, 2, 9, 0],
              [1, 2, 5, 5, 7],
              [2, 2, 2, 4, 4],
            ],
            'int64',
          ),
        },
        call: (m, x) => m.forward(x.i),
        pyCall: 'm(i)',
      }),
      mcase({
        name: 'Embedding with negative paddingIdx -1',
        make: () => new nn.Embedding(7, 3, { paddingIdx: -1 }),
        build: 'nn.Embedding(7, 3, padding_idx=-1)',
        inputs: {
          i: fixedIn(
            [
              [6, 0, 6],
              [1, 6, 3],
            ],
            'int64',
          ),
        },
        call: (m, x) => m.forward(x.i),
        pyCall: 'm(i)',
      }),
      mcase({
        name: 'Embedding without paddingIdx, repeated indices accumulate',
        make: () => new nn.Embedding(6, 4),
        build: 'nn.Embedding(6, 4)',
        inputs: { i: intIn([4, 7], 3, 0, 6) },
        call: (m, x) => m.forward(x.i),
        pyCall: 'm(i)',
      }),
      mcase({
        name: 'Embedding.fromPretrained(freeze false, paddingIdx 1)',
        make: () => {
          const e = nn.Embedding.fromPretrained(torch.tensor(PRETRAINED.data as number[]).reshape(PRETRAINED.shape), { freeze: false, paddingIdx: 1 });
          // the pretrained values are kept as given, padding row included
          expect(e.weight.dataSync()).to.deep.equal(torch.tensor(PRETRAINED.data as number[]).dataSync());
          expect(e.weight.requiresGrad).to.equal(true);
          return e;
        },
        build: `nn.Embedding.from_pretrained(T(${PRETRAINED_PY}), freeze=False, padding_idx=1)`,
        inputs: {
          i: fixedIn(
            [
              [1, 0, 5],
              [1, 1, 3],
              [2, 4, 1],
            ],
            'int64',
          ),
        },
        call: (m, x) => m.forward(x.i),
        pyCall: 'm(i)',
      }),
      mcase({
        name: 'Embedding.fromPretrained(freeze default true): frozen weight, same lookup',
        make: () => {
          const e = nn.Embedding.fromPretrained(torch.tensor(PRETRAINED.data as number[]).reshape(PRETRAINED.shape));
          expect(e.weight.requiresGrad, 'frozen').to.equal(false);
          return e;
        },
        build: `nn.Embedding.from_pretrained(T(${PRETRAINED_PY}))`,
        inputs: {
          i: fixedIn(
            [
              [1, 0, 5],
              [2, 4, 1],
            ],
            'int64',
          ),
        },
        call: (m, x) => m.forward(x.i),
        pyCall: 'm(i)',
        grad: false,
      }),
      mcase({
        name: 'LayerNorm(6) with affine weights',
        make: () => jitter(new nn.LayerNorm(6)),
        build: 'nn.LayerNorm(6)',
        inputs: { x: randIn([3, 4, 6], 4) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'LayerNorm([4, 6], eps 1e-3)',
        make: () => jitter(new nn.LayerNorm([4, 6], { eps: 1e-3 })),
        build: 'nn.LayerNorm([4, 6], eps=1e-3)',
        inputs: { x: randIn([2, 4, 6], 5) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'LayerNorm without elementwise affine',
        make: () => new nn.LayerNorm(5, { elementwiseAffine: false }),
        build: 'nn.LayerNorm(5, elementwise_affine=False)',
        inputs: { x: randIn([3, 5], 6) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'LayerNorm without bias',
        make: () => jitter(new nn.LayerNorm(5, { bias: false })),
        build: 'nn.LayerNorm(5, bias=False)',
        inputs: { x: randIn([3, 5], 6) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({ name: 'ReLU', make: () => new nn.ReLU(), build: 'nn.ReLU()', inputs: { x: randIn([3, 7], 7) }, call: (m, x) => m.forward(x.x), pyCall: 'm(x)' }),
      mcase({
        name: 'GELU (exact)',
        make: () => new nn.GELU(),
        build: 'nn.GELU()',
        inputs: { x: randIn([3, 7], 8, { lo: -4, hi: 4 }) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: "GELU('tanh')",
        make: () => new nn.GELU('tanh'),
        build: "nn.GELU(approximate='tanh')",
        inputs: { x: randIn([3, 7], 9, { lo: -4, hi: 4 }) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({ name: 'Tanh', make: () => new nn.Tanh(), build: 'nn.Tanh()', inputs: { x: randIn([3, 7], 10) }, call: (m, x) => m.forward(x.x), pyCall: 'm(x)' }),
      mcase({
        name: 'Softmax(dim 1) on 3-D',
        make: () => new nn.Softmax(1),
        build: 'nn.Softmax(dim=1)',
        inputs: { x: randIn([2, 4, 3], 11) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Softmax(dim -1)',
        make: () => new nn.Softmax(-1),
        build: 'nn.Softmax(dim=-1)',
        inputs: { x: randIn([2, 4, 3], 12) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Identity passes the input and its gradient through',
        make: () => new nn.Identity(),
        build: 'nn.Identity()',
        inputs: { x: randIn([2, 3], 13) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Dropout(0.5) in eval mode is the identity',
        make: () => new nn.Dropout(0.5),
        build: 'nn.Dropout(0.5)',
        train: false,
        inputs: { x: randIn([4, 5], 14) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
    ]);
  });

  describe('MultiheadAttention', () => {
    const q = randIn([L, B, E], 21),
      k = randIn([S, B, E], 22),
      v = randIn([S, B, E], 23);
    const xSelf = randIn([L, B, E], 24);
    const make =
      (o: torch.nn.MultiheadAttentionOptions = {}) =>
      () =>
        jitter(new nn.MultiheadAttention(E, H, o));
    moduleCases([
      mcase({
        name: 'self-attention (same tensor as q, k, v), averaged weights',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { x: xSelf },
        call: (m, x) => mha(m, x.x, x.x, x.x),
        pyCall: 'm(x, x, x)',
      }),
      mcase({
        name: 'distinct q/k/v (L != S)',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { q, k, v },
        call: (m, x) => mha(m, x.q, x.k, x.v),
        pyCall: 'm(q, k, v)',
      }),
      mcase({
        name: 'batchFirst self-attention with bool keyPaddingMask',
        make: make({ batchFirst: true }),
        build: `nn.MultiheadAttention(${E}, ${H}, batch_first=True)`,
        inputs: { x: randIn([B, L, E], 25), kpm: kpmBool(B, L) },
        call: (m, x) => mha(m, x.x, x.x, x.x, { keyPaddingMask: x.kpm }),
        pyCall: 'm(x, x, x, key_padding_mask=kpm)',
      }),
      mcase({
        name: 'batchFirst distinct q/k/v',
        make: make({ batchFirst: true }),
        build: `nn.MultiheadAttention(${E}, ${H}, batch_first=True)`,
        inputs: { q: randIn([B, L, E], 26), k: randIn([B, S, E], 27), v: randIn([B, S, E], 28) },
        call: (m, x) => mha(m, x.q, x.k, x.v),
        pyCall: 'm(q, k, v)',
      }),
      mcase({
        name: 'float keyPaddingMask (added, -inf included)',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { q, k, v, kpm: kpmFloat(B, S) },
        call: (m, x) => mha(m, x.q, x.k, x.v, { keyPaddingMask: x.kpm }),
        pyCall: 'm(q, k, v, key_padding_mask=kpm)',
      }),
      mcase({
        name: '2-D bool attnMask',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { q, k, v, am: attn2dBool(L, S) },
        call: (m, x) => mha(m, x.q, x.k, x.v, { attnMask: x.am }),
        pyCall: 'm(q, k, v, attn_mask=am)',
      }),
      mcase({
        name: '2-D float attnMask',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { q, k, v, am: attn2dFloat(L, S) },
        call: (m, x) => mha(m, x.q, x.k, x.v, { attnMask: x.am }),
        pyCall: 'm(q, k, v, attn_mask=am)',
      }),
      mcase({
        name: '3-D bool attnMask with bool keyPaddingMask',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { q, k, v, am: attn3dBool(B * H, L, S), kpm: kpmBool(B, S) },
        call: (m, x) => mha(m, x.q, x.k, x.v, { attnMask: x.am, keyPaddingMask: x.kpm }),
        pyCall: 'm(q, k, v, attn_mask=am, key_padding_mask=kpm)',
      }),
      mcase({
        name: '3-D float attnMask with bool keyPaddingMask',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { q, k, v, am: attn3dFloat(B * H, L, S), kpm: kpmBool(B, S) },
        call: (m, x) => mha(m, x.q, x.k, x.v, { attnMask: x.am, keyPaddingMask: x.kpm }),
        pyCall: 'm(q, k, v, attn_mask=am, key_padding_mask=kpm)',
      }),
      mcase({
        name: '2-D float attnMask with float keyPaddingMask',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { q, k, v, am: attn2dFloat(L, S), kpm: kpmFloat(B, S) },
        call: (m, x) => mha(m, x.q, x.k, x.v, { attnMask: x.am, keyPaddingMask: x.kpm }),
        pyCall: 'm(q, k, v, attn_mask=am, key_padding_mask=kpm)',
      }),
      mcase({
        name: 'needWeights false returns null weights',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { q, k, v, kpm: kpmBool(B, S) },
        call: (m, x) => mha(m, x.q, x.k, x.v, { needWeights: false, keyPaddingMask: x.kpm }),
        pyCall: 'm(q, k, v, need_weights=False, key_padding_mask=kpm)',
      }),
      mcase({
        name: 'averageAttnWeights false returns per-head weights',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { q, k, v, am: attn2dBool(L, S) },
        call: (m, x) => mha(m, x.q, x.k, x.v, { averageAttnWeights: false, attnMask: x.am }),
        pyCall: 'm(q, k, v, average_attn_weights=False, attn_mask=am)',
      }),
      mcase({
        name: 'bias false, 4 heads',
        make: () => jitter(new nn.MultiheadAttention(E, 4, { bias: false })),
        build: `nn.MultiheadAttention(${E}, 4, bias=False)`,
        inputs: { x: xSelf },
        call: (m, x) => mha(m, x.x, x.x, x.x),
        pyCall: 'm(x, x, x)',
      }),
      mcase({
        name: 'unbatched [L, E] self-attention with a 1-D keyPaddingMask',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: {
          x: randIn([L, E], 41),
          kpm: fixedIn(
            Array.from({ length: L }, (_, j) => j === L - 1),
            'bool',
          ),
        },
        call: (m, x) => mha(m, x.x, x.x, x.x, { keyPaddingMask: x.kpm }),
        pyCall: 'm(x, x, x, key_padding_mask=kpm)',
      }),
      mcase({
        name: 'unbatched distinct q/k/v, needWeights false',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { q: randIn([L, E], 42), k: randIn([S, E], 43), v: randIn([S, E], 44) },
        call: (m, x) => mha(m, x.q, x.k, x.v, { needWeights: false }),
        pyCall: 'm(q, k, v, need_weights=False)',
      }),
      mcase({
        name: 'k is v (encoder-decoder packing)',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: { q, k },
        call: (m, x) => mha(m, x.q, x.k, x.k),
        pyCall: 'm(q, k, k)',
      }),
      mcase({
        name: 'isCausal with its causal mask, needWeights false',
        make: make(),
        build: `nn.MultiheadAttention(${E}, ${H})`,
        inputs: {
          x: xSelf,
          am: fixedIn(
            Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => j > i)),
            'bool',
          ),
        },
        call: (m, x) => mha(m, x.x, x.x, x.x, { attnMask: x.am, isCausal: true, needWeights: false }),
        pyCall: 'm(x, x, x, attn_mask=am, is_causal=True, need_weights=False)',
      }),
    ]);
  });

  describe('TransformerEncoderLayer', () => {
    const src = randIn([L, B, E], 31),
      srcBF = randIn([B, L, E], 32);
    const layer = (o: torch.nn.TransformerEncoderLayerOptions) => () => jitter(new nn.TransformerEncoderLayer(E, H, { dimFeedforward: 16, dropout: 0, ...o }));
    const py = (o: string) => `nn.TransformerEncoderLayer(${E}, ${H}, dim_feedforward=16, dropout=0.0${o})`;
    const tol = { rtol: 1e-4, atol: 2e-5 };
    moduleCases([
      mcase({
        name: 'relu, post-norm, seq-first, no masks',
        make: layer({}),
        build: py(''),
        inputs: { src },
        call: (m, x) => m.forward(x.src),
        pyCall: 'm(src)',
        tol,
      }),
      mcase({
        name: 'gelu, post-norm, batchFirst, srcKeyPaddingMask',
        make: layer({ activation: 'gelu', batchFirst: true }),
        build: py(", activation='gelu', batch_first=True"),
        inputs: { src: srcBF, kpm: kpmBool(B, L) },
        call: (m, x) => m.forward(x.src, { srcKeyPaddingMask: x.kpm }),
        pyCall: 'm(src, src_key_padding_mask=kpm)',
        tol,
      }),
      mcase({
        name: 'gelu, normFirst, batchFirst, srcMask (bool) and srcKeyPaddingMask',
        make: layer({ activation: 'gelu', batchFirst: true, normFirst: true }),
        build: py(", activation='gelu', batch_first=True, norm_first=True"),
        inputs: { src: srcBF, am: attn2dBool(L, L), kpm: kpmBool(B, L) },
        call: (m, x) => m.forward(x.src, { srcMask: x.am, srcKeyPaddingMask: x.kpm }),
        pyCall: 'm(src, src_mask=am, src_key_padding_mask=kpm)',
        tol,
      }),
      mcase({
        name: 'relu, normFirst, seq-first, float srcMask',
        make: layer({ normFirst: true, layerNormEps: 1e-6 }),
        build: py(', norm_first=True, layer_norm_eps=1e-6'),
        inputs: { src, am: attn2dFloat(L, L) },
        call: (m, x) => m.forward(x.src, { srcMask: x.am }),
        pyCall: 'm(src, src_mask=am)',
        tol,
      }),
    ]);
    it('with fastDropout, fuses relu and dropout in the feed-forward block on the CPU, with the same draws and gradients as relu then dropout', () => {
      const make = (activation: 'relu' | ((t: Tensor) => Tensor)) =>
        new nn.TransformerEncoderLayer(E, H, { dimFeedforward: 64, dropout: 0.3, activation, fastDropout: true });
      torch.manualSeed(3);
      const fused = make('relu');
      const plain = make((t) => torch.nn.functional.relu(t)); // a custom activation takes the unfused path
      plain.loadStateDict(fused.stateDict());
      const x = torch.randn([L, B, E]);
      const run = (m: torch.nn.TransformerEncoderLayer) => {
        torch.manualSeed(11);
        const xi = x.clone().requiresGrad_();
        const out = m.forward(xi);
        out.mul(torch.arange(out.numel()).view(out.shape).cos()).sum().backward();
        return { out: out.detach(), dx: xi.grad as Tensor, dw1: m.linear1.weight.grad as Tensor, db2: (m.linear2.bias as Tensor).grad as Tensor };
      };
      const a = run(fused);
      const b = run(plain);
      for (const k of ['out', 'dx', 'dw1', 'db2'] as const) {
        expect(a[k].sub(b[k]).abs().max().item(), k).to.be.below(1e-6);
      }
      // dropout happened: some outputs of the block differ from eval mode
      fused.eval();
      expect(fused.forward(x).sub(a.out).abs().max().item()).to.be.above(1e-3);
    });
  });

  describe('TransformerEncoder', () => {
    const tol = { rtol: 1e-4, atol: 2e-5 };
    const enc2 = (o: torch.nn.TransformerEncoderLayerOptions, norm: boolean) => () =>
      jitter(
        new nn.TransformerEncoder(new nn.TransformerEncoderLayer(E, H, { dimFeedforward: 16, dropout: 0, ...o }), 2, {
          norm: norm ? new nn.LayerNorm(E) : null,
        }),
      );
    const seqs = randIn([B, L + 1, E], 41);
    moduleCases([
      mcase({
        name: '2 layers with final norm, batchFirst, srcKeyPaddingMask and mask',
        make: enc2({ batchFirst: true, activation: 'gelu' }, true),
        build: `nn.TransformerEncoder(nn.TransformerEncoderLayer(${E}, ${H}, 16, 0.0, activation='gelu', batch_first=True), 2, norm=nn.LayerNorm(${E}))`,
        inputs: { src: seqs, am: attn2dBool(L + 1, L + 1), kpm: kpmBool(B, L + 1) },
        call: (m, x) => m.forward(x.src, { mask: x.am, srcKeyPaddingMask: x.kpm }),
        pyCall: 'm(src, mask=am, src_key_padding_mask=kpm)',
        tol,
      }),
      mcase({
        name: '2 layers without final norm, seq-first, srcKeyPaddingMask only',
        make: enc2({}, false),
        build: `nn.TransformerEncoder(nn.TransformerEncoderLayer(${E}, ${H}, 16, 0.0), 2)`,
        inputs: { src: randIn([L, B, E], 42), kpm: kpmBool(B, L) },
        call: (m, x) => m.forward(x.src, { srcKeyPaddingMask: x.kpm }),
        pyCall: 'm(src, src_key_padding_mask=kpm)',
        tol,
      }),
      mcase({
        name: '3 layers, normFirst, with final norm and float mask',
        make: () =>
          jitter(
            new nn.TransformerEncoder(new nn.TransformerEncoderLayer(E, H, { dimFeedforward: 16, dropout: 0, normFirst: true }), 3, {
              norm: new nn.LayerNorm(E),
            }),
          ),
        build: `nn.TransformerEncoder(nn.TransformerEncoderLayer(${E}, ${H}, 16, 0.0, norm_first=True), 3, norm=nn.LayerNorm(${E}))`,
        inputs: { src: randIn([L, B, E], 43), am: attn2dFloat(L, L) },
        call: (m, x) => m.forward(x.src, { mask: x.am }),
        pyCall: 'm(src, mask=am)',
        tol,
      }),
      // Python's eval + no_grad takes the nested-tensor fast path: padded rows differ
      // (they come out as norm(0)); only the non-padded positions are compared.
      mcase({
        name: 'eval + noGrad (Python fast path): non-padded positions agree',
        make: enc2({ batchFirst: true }, true),
        build: `nn.TransformerEncoder(nn.TransformerEncoderLayer(${E}, ${H}, 16, 0.0, batch_first=True), 2, norm=nn.LayerNorm(${E}))`,
        inputs: { src: seqs, kpm: kpmBool(B, L + 1) },
        train: false,
        grad: false,
        call: (m, x) => m.forward(x.src, { srcKeyPaddingMask: x.kpm }),
        pyCall: 'm(src, src_key_padding_mask=kpm)',
        compare: (py: ModuleResult, outs: (Tensor | null)[]) => {
          const o = outs[0] as Tensor;
          const p = py.outs[0] as Enc;
          expect(o.shape).to.deep.equal(p.shape);
          const a = o.dataSync();
          let compared = 0;
          for (let b = 0; b < B; b++) {
            for (let s = 0; s < L + 1 - b; s++) {
              for (let e = 0; e < E; e++) {
                const i = (b * (L + 1) + s) * E + e;
                const want = p.data[i] as number;
                expect(Math.abs(a[i] - want), `out[${b}, ${s}, ${e}] ${a[i]} vs ${want}`).to.be.at.most(2e-5 + 1e-4 * Math.abs(want));
                compared++;
              }
            }
          }
          expect(compared).to.equal(E * (3 * (L + 1) - 3));
        },
      }),
    ]);
  });
});
