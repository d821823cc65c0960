/**
 * TransformerDecoderLayer, TransformerDecoder and Transformer vs PyTorch 2.13
 * on the same weights and inputs (dropout 0): outputs, input gradients and
 * every parameter gradient, state-dict keys; post-norm and pre-norm, relu and
 * gelu, batchFirst, unbatched, bool and float masks, key padding masks,
 * causal masks (hinted and detected); the causal mask itself; Transformer's
 * init (same draws as Python under the same seed); the printed form; train
 * vs eval with dropout; argument errors with their messages.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { expectEnc, fixedIn, mcase, moduleCases, ok, pyNN, pythonHasTorch, randIn, type Enc, type ModuleCase, type PyError } from './20-nn-helpers.js';

const nn = torch.nn;
const E = 8,
  NH = 2,
  FF = 16,
  T = 4,
  S = 5,
  B = 3;

/** [L, L] float: 0 on and below the diagonal, -inf above (the causal mask). */
function causal(l: number): Enc {
  return fixedIn(
    Array.from({ length: l }, (_, i) => Array.from({ length: l }, (_, j) => (j > i ? -Infinity : 0))),
    'float32',
  );
}
/** [B, L] bool: batch b pads its last b positions (never a whole row). */
function kpm(b: number, l: number): Enc {
  return fixedIn(
    Array.from({ length: b }, (_, i) => Array.from({ length: l }, (_, j) => j >= l - i)),
    'bool',
  );
}
/** [T, S] float mask with finite values and some -inf (key 0 always allowed). */
function memMask(t: number, s: number): Enc {
  return fixedIn(
    Array.from({ length: t }, (_, i) => Array.from({ length: s }, (_, j) => (j > 0 && (i + 2 * j) % 4 === 0 ? -Infinity : ((i * 3 + j) % 5) * 0.3 - 0.6))),
    'float32',
  );
}
/** [T, T] bool self-attention mask (true = not allowed), diagonal allowed. */
function boolMask(t: number): Enc {
  return fixedIn(
    Array.from({ length: t }, (_, i) => Array.from({ length: t }, (_, j) => j > i + 1)),
    'bool',
  );
}

const ln = `dim_feedforward=${FF}, dropout=0.0`;

const CASES: ModuleCase[] = [
  mcase({
    name: 'TransformerDecoderLayer post-norm relu, [T, B, E], no masks',
    make: () => new nn.TransformerDecoderLayer(E, NH, { dimFeedforward: FF, dropout: 0 }),
    build: `nn.TransformerDecoderLayer(${E}, ${NH}, ${ln})`,
    inputs: { tgt: randIn([T, B, E], 1), mem: randIn([S, B, E], 2) },
    call: (m, x) => m.forward(x.tgt, x.mem),
    pyCall: 'm(tgt, mem)',
  }),
  mcase({
    name: 'TransformerDecoderLayer pre-norm gelu, batchFirst, causal tgtMask (hinted), key padding masks',
    make: () => new nn.TransformerDecoderLayer(E, NH, { dimFeedforward: FF, dropout: 0, normFirst: true, activation: 'gelu', batchFirst: true }),
    build: `nn.TransformerDecoderLayer(${E}, ${NH}, ${ln}, norm_first=True, activation='gelu', batch_first=True)`,
    inputs: { tgt: randIn([B, T, E], 3), mem: randIn([B, S, E], 4), tm: causal(T), tk: kpm(B, T), mk: kpm(B, S) },
    call: (m, x) => m.forward(x.tgt, x.mem, { tgtMask: x.tm, tgtKeyPaddingMask: x.tk, memoryKeyPaddingMask: x.mk, tgtIsCausal: true }),
    pyCall: 'm(tgt, mem, tgt_mask=tm, tgt_key_padding_mask=tk, memory_key_padding_mask=mk, tgt_is_causal=True)',
  }),
  mcase({
    name: 'TransformerDecoderLayer with a bool tgtMask and a float memoryMask',
    make: () => new nn.TransformerDecoderLayer(E, NH, { dimFeedforward: FF, dropout: 0 }),
    build: `nn.TransformerDecoderLayer(${E}, ${NH}, ${ln})`,
    inputs: { tgt: randIn([T, B, E], 5), mem: randIn([S, B, E], 6), tm: boolMask(T), mm: memMask(T, S) },
    call: (m, x) => m.forward(x.tgt, x.mem, { tgtMask: x.tm, memoryMask: x.mm }),
    pyCall: 'm(tgt, mem, tgt_mask=tm, memory_mask=mm)',
  }),
  mcase({
    name: 'TransformerDecoderLayer unbatched [T, E] with a custom activation (tanh)',
    make: () => new nn.TransformerDecoderLayer(E, NH, { dimFeedforward: FF, dropout: 0, activation: (t) => t.tanh() }),
    build: `nn.TransformerDecoderLayer(${E}, ${NH}, ${ln}, activation=torch.tanh)`,
    inputs: { tgt: randIn([T, E], 7), mem: randIn([S, E], 8) },
    call: (m, x) => m.forward(x.tgt, x.mem),
    pyCall: 'm(tgt, mem)',
  }),
  mcase({
    name: 'TransformerDecoder, 2 layers and a final norm, causal tgtMask (detected), padding masks',
    make: () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(E, NH, { dimFeedforward: FF, dropout: 0 }), 2, { norm: new nn.LayerNorm(E) }),
    build: `nn.TransformerDecoder(nn.TransformerDecoderLayer(${E}, ${NH}, ${ln}), 2, norm=nn.LayerNorm(${E}))`,
    inputs: { tgt: randIn([T, B, E], 9), mem: randIn([S, B, E], 10), tm: causal(T), tk: kpm(B, T), mk: kpm(B, S) },
    call: (m, x) => m.forward(x.tgt, x.mem, { tgtMask: x.tm, tgtKeyPaddingMask: x.tk, memoryKeyPaddingMask: x.mk }),
    pyCall: 'm(tgt, mem, tgt_mask=tm, tgt_key_padding_mask=tk, memory_key_padding_mask=mk)',
  }),
  mcase({
    name: 'TransformerDecoder without norm, batchFirst, no masks',
    make: () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(E, NH, { dimFeedforward: FF, dropout: 0, batchFirst: true }), 3),
    build: `nn.TransformerDecoder(nn.TransformerDecoderLayer(${E}, ${NH}, ${ln}, batch_first=True), 3)`,
    inputs: { tgt: randIn([B, T, E], 11), mem: randIn([B, S, E], 12) },
    call: (m, x) => m.forward(x.tgt, x.mem),
    pyCall: 'm(tgt, mem)',
  }),
  mcase({
    name: 'Transformer (2 + 2 layers) with every mask',
    make: () => new nn.Transformer({ dModel: E, nhead: NH, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: FF, dropout: 0 }),
    build: `nn.Transformer(${E}, ${NH}, 2, 2, ${FF}, dropout=0.0)`,
    inputs: { src: randIn([S, B, E], 13), tgt: randIn([T, B, E], 14), tm: causal(T), sk: kpm(B, S), tk: kpm(B, T), mk: kpm(B, S), mm: memMask(T, S) },
    call: (m, x) => m.forward(x.src, x.tgt, { tgtMask: x.tm, srcKeyPaddingMask: x.sk, tgtKeyPaddingMask: x.tk, memoryKeyPaddingMask: x.mk, memoryMask: x.mm }),
    pyCall: 'm(src, tgt, tgt_mask=tm, src_key_padding_mask=sk, tgt_key_padding_mask=tk, memory_key_padding_mask=mk, memory_mask=mm)',
  }),
  mcase({
    name: 'Transformer pre-norm gelu batchFirst, causal tgtMask, float64',
    make: () =>
      new nn.Transformer({
        dModel: E,
        nhead: NH,
        numEncoderLayers: 1,
        numDecoderLayers: 2,
        dimFeedforward: FF,
        dropout: 0,
        normFirst: true,
        activation: 'gelu',
        batchFirst: true,
        dtype: 'float64',
      }),
    build: `nn.Transformer(${E}, ${NH}, 1, 2, ${FF}, dropout=0.0, norm_first=True, activation='gelu', batch_first=True, dtype=torch.float64)`,
    inputs: { src: randIn([B, S, E], 15, { dtype: 'float64' }), tgt: randIn([B, T, E], 16, { dtype: 'float64' }), tm: { ...causal(T), dtype: 'float64' } },
    call: (m, x) => m.forward(x.src, x.tgt, { tgtMask: x.tm }),
    pyCall: 'm(src, tgt, tgt_mask=tm)',
    tol: { rtol: 1e-10, atol: 1e-10 },
  }),
  mcase({
    name: 'TransformerDecoderLayer without bias (no biases in attention, linear layers or norms)',
    make: () => new nn.TransformerDecoderLayer(E, NH, { dimFeedforward: FF, dropout: 0, bias: false }),
    build: `nn.TransformerDecoderLayer(${E}, ${NH}, ${ln}, bias=False)`,
    inputs: { tgt: randIn([T, B, E], 17), mem: randIn([S, B, E], 18), tm: causal(T) },
    call: (m, x) => m.forward(x.tgt, x.mem, { tgtMask: x.tm }),
    pyCall: 'm(tgt, mem, tgt_mask=tm)',
  }),
  mcase({
    name: 'Transformer without bias, causal srcMask (detected) and tgtMask (hinted)',
    make: () => new nn.Transformer({ dModel: E, nhead: NH, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: FF, dropout: 0, bias: false }),
    build: `nn.Transformer(${E}, ${NH}, 2, 1, ${FF}, dropout=0.0, bias=False)`,
    inputs: { src: randIn([S, B, E], 19), tgt: randIn([T, B, E], 20), sm: causal(S), tm: causal(T) },
    call: (m, x) => m.forward(x.src, x.tgt, { srcMask: x.sm, tgtMask: x.tm, tgtIsCausal: true }),
    pyCall: 'm(src, tgt, src_mask=sm, tgt_mask=tm, tgt_is_causal=True)',
  }),
  mcase({
    name: 'Transformer on unbatched [S, E] / [T, E] inputs with a causal tgtMask',
    make: () => new nn.Transformer({ dModel: E, nhead: NH, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: FF, dropout: 0 }),
    build: `nn.Transformer(${E}, ${NH}, 1, 1, ${FF}, dropout=0.0)`,
    inputs: { src: randIn([S, E], 22), tgt: randIn([T, E], 23), tm: causal(T) },
    call: (m, x) => m.forward(x.src, x.tgt, { tgtMask: x.tm }),
    pyCall: 'm(src, tgt, tgt_mask=tm)',
  }),
  mcase({
    name: 'TransformerEncoder (bias false, pre-norm) with a causal mask hinted by isCausal',
    make: () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(E, NH, { dimFeedforward: FF, dropout: 0, bias: false, normFirst: true }), 2),
    build: `nn.TransformerEncoder(nn.TransformerEncoderLayer(${E}, ${NH}, ${ln}, bias=False, norm_first=True), 2, enable_nested_tensor=False)`,
    inputs: { src: randIn([S, B, E], 21), sm: causal(S) },
    call: (m, x) => m.forward(x.src, { mask: x.sm, isCausal: true }),
    pyCall: 'm(src, mask=sm, is_causal=True)',
  }),
];

describe('transformer decoder vs PyTorch (outputs, all gradients, state-dict keys)', function () {
  this.timeout(120_000);
  moduleCases(CASES);
});

// ------------------------------------------------------------------ mask, init, repr, dropout

const REPRS: [() => torch.nn.Module, string][] = [
  [() => new nn.TransformerDecoderLayer(E, NH, { dimFeedforward: FF }), `nn.TransformerDecoderLayer(${E}, ${NH}, ${FF})`],
  // one layer per stack: Python prints equal repeated children of a ModuleList as
  // '(0-1): 2 x ...', which our ModuleList printing does not do yet
  [
    () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(E, NH, { dimFeedforward: FF, dropout: 0.2 }), 1, { norm: new nn.LayerNorm(E) }),
    `nn.TransformerDecoder(nn.TransformerDecoderLayer(${E}, ${NH}, ${FF}, dropout=0.2), 1, norm=nn.LayerNorm(${E}))`,
  ],
  [
    () => new nn.Transformer({ dModel: E, nhead: NH, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: FF }),
    `nn.Transformer(${E}, ${NH}, 1, 1, ${FF})`,
  ],
];

const PY_MISC = String.raw`
res = {}
res['masks'] = [E(nn.Transformer.generate_square_subsequent_mask(n)) for n in (1, 4)] + [E(nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64))]
torch.manual_seed(123)
t = nn.Transformer(8, 2, 2, 1, 16)
res['init'] = {k: E(v) for k, v in t.state_dict().items()}
res['reprs'] = [repr(eval(r)) for r in D['reprs']]
out = res
`;

interface PyMisc {
  masks: Enc[];
  init: Record<string, Enc>;
  reprs: string[];
}

describe('transformer decoder: mask, init, printed form, dropout (vs PyTorch)', function () {
  this.timeout(120_000);
  let py: PyMisc;
  before(function () {
    if (!pythonHasTorch()) this.skip();
    py = ok(pyNN<PyMisc | PyError>([{ kind: 'exec', code: PY_MISC, data: { reprs: REPRS.map(([, r]) => r) } }])[0], 'misc');
  });

  it('generateSquareSubsequentMask (function and static method) equals Python', () => {
    expectEnc(nn.generateSquareSubsequentMask(1), py.masks[0], 'mask 1', { rtol: 0, atol: 0 });
    expectEnc(nn.Transformer.generateSquareSubsequentMask(4), py.masks[1], 'mask 4', { rtol: 0, atol: 0 });
    expectEnc(nn.Transformer.generateSquareSubsequentMask(3, { dtype: 'float64' }), py.masks[2], 'mask 3 float64', { rtol: 0, atol: 0 });
  });

  it('Transformer draws the same initial weights as PyTorch under the same seed (xavier on every >1-D parameter)', () => {
    torch.manualSeed(123);
    const sd = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16 }).stateDict();
    expect(Object.keys(sd)).to.deep.equal(Object.keys(py.init));
    for (const [k, t] of Object.entries(sd)) expectEnc(t, py.init[k], k, { rtol: 0, atol: 0 });
  });

  it('Transformer init statistics: every >1-D parameter within its xavier bound', () => {
    torch.manualSeed(0);
    const big = new nn.Transformer({ dModel: 64, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 256 });
    for (const [k, p] of big.namedParameters()) {
      if (p.dim() < 2) continue;
      const [fanOut, fanIn] = p.shape;
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      expect(p.abs().max().item(), k).to.be.at.most(bound);
      expect(p.std().item(), k).to.be.closeTo(bound / Math.sqrt(3), 0.1 * bound);
    }
  });

  it('prints as PyTorch (MultiheadAttention.out_proj prints as Linear here, NonDynamicallyQuantizableLinear there)', () => {
    const ours = REPRS.map(([make]) => String(make()));
    expect(ours).to.deep.equal(py.reprs.map((r) => r.replaceAll('NonDynamicallyQuantizableLinear', 'Linear')));
  });

  it('dropout is active in training and off in eval', () => {
    const m = new nn.TransformerDecoderLayer(E, NH, { dimFeedforward: FF, dropout: 0.5 });
    const tgt = torch.randn([T, B, E]);
    const mem = torch.randn([S, B, E]);
    const a = m.forward(tgt, mem);
    const b = m.forward(tgt, mem);
    expect(a.sub(b).abs().max().item()).to.be.greaterThan(1e-4);
    m.eval();
    const c = torch.noGrad(() => m.forward(tgt, mem));
    const d = torch.noGrad(() => m.forward(tgt, mem));
    expect(c.sub(d).abs().max().item()).to.equal(0);
  });
});

// ------------------------------------------------------------------ errors

type Cls = new (...a: never[]) => Error;
const z = (shape: number[]) => torch.zeros(shape);
const small = () => new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 });
const ERRORS: [string, () => unknown, Cls, string][] = [
  [
    'TransformerDecoderLayer: unknown option',
    () => new nn.TransformerDecoderLayer(8, 2, { norm_first: true } as never),
    TypeError,
    "Unknown option 'norm_first' for TransformerDecoderLayer; expected one of: dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, device, dtype",
  ],
  [
    'TransformerDecoderLayer: dModel not divisible by nhead',
    () => new nn.TransformerDecoderLayer(10, 4),
    RangeError,
    'embed_dim must be divisible by num_heads (embedDim 10, numHeads 4)',
  ],
  [
    'TransformerDecoderLayer: unknown activation',
    () => new nn.TransformerDecoderLayer(8, 2, { activation: 'silu' as never }),
    TypeError,
    "Expected 'relu', 'gelu' or a function for activation but received 'silu' of type string",
  ],
  [
    'TransformerDecoderLayer: dimFeedforward 0',
    () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 0 }),
    RangeError,
    'Expected a positive integer for dimFeedforward but received 0 of type number',
  ],
  [
    'TransformerDecoderLayer.forward: unknown option',
    () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 4 }).forward(z([2, 1, 8]), z([3, 1, 8]), { tgt_mask: null } as never),
    TypeError,
    "Unknown option 'tgt_mask' for TransformerDecoderLayer.forward; expected one of: tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal, memoryIsCausal",
  ],
  [
    'TransformerDecoderLayer.forward: tgtIsCausal without tgtMask',
    () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 4 }).forward(z([2, 1, 8]), z([3, 1, 8]), { tgtIsCausal: true }),
    RangeError,
    'Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask.',
  ],
  [
    'TransformerDecoder: not a decoder layer',
    () => new nn.TransformerDecoder(new nn.TransformerEncoderLayer(8, 2) as never, 2),
    TypeError,
    'Expected a TransformerDecoderLayer for decoderLayer but received an object of type TransformerEncoderLayer',
  ],
  [
    'TransformerDecoder: zero layers',
    () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 4 }), 0),
    RangeError,
    'Expected a positive integer for numLayers but received 0 of type number',
  ],
  [
    'TransformerDecoder.forward: unknown option',
    () =>
      new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 4 }), 1).forward(z([2, 1, 8]), z([3, 1, 8]), { mask: null } as never),
    TypeError,
    "Unknown option 'mask' for TransformerDecoder.forward; expected one of: tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal, memoryIsCausal",
  ],
  [
    'Transformer: unknown option',
    () => new nn.Transformer({ d_model: 8 } as never),
    TypeError,
    "Unknown option 'd_model' for Transformer; expected one of: dModel, nhead, numEncoderLayers, numDecoderLayers, dimFeedforward, dropout, activation, customEncoder, customDecoder, layerNormEps, batchFirst, normFirst, bias, device, dtype",
  ],
  [
    'TransformerDecoderLayer: bias not a boolean',
    () => new nn.TransformerDecoderLayer(8, 2, { bias: 0 as never }),
    TypeError,
    'Expected a boolean for bias but received 0 of type number',
  ],
  [
    'TransformerEncoder.forward: isCausal without a mask',
    () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 4 }), 1).forward(z([2, 1, 8]), { isCausal: true }),
    RangeError,
    'Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask.',
  ],
  [
    'Transformer: customEncoder not a Module',
    () => new nn.Transformer({ dModel: 8, nhead: 2, customEncoder: {} as never }),
    TypeError,
    'Expected a Module for customEncoder but received an object of type Object',
  ],
  [
    'Transformer.forward: batch sizes differ',
    () => small().forward(z([5, 2, 8]), z([4, 3, 8])),
    RangeError,
    'Expected the batch size of src (2) for tgt but received 3',
  ],
  [
    'Transformer.forward: feature size is not dModel',
    () => small().forward(z([5, 2, 8]), z([4, 2, 6])),
    RangeError,
    'Expected feature size 8 (dModel) for src and tgt but received 8 and 6',
  ],
  [
    'Transformer.forward: src not a tensor',
    () => small().forward([1] as never, z([4, 2, 8])),
    TypeError,
    'Expected Tensor for src but received an array of length 1',
  ],
  [
    'generateSquareSubsequentMask: negative size',
    () => nn.generateSquareSubsequentMask(-1),
    RangeError,
    'Expected a non-negative integer for sz but received -1 of type number',
  ],
];

describe('transformer decoder: argument errors', () => {
  for (const [name, fn, cls, msg] of ERRORS) {
    it(name, () => {
      let thrown: unknown = null;
      try {
        fn();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).to.be.instanceOf(cls);
      expect((thrown as Error).message).to.equal(msg);
    });
  }
});
