/**
 * Misuse of nn throws a specific error: the TS argument checks (TypeError for
 * unknown options and wrong kinds, RangeError for values out of range) with
 * their exact messages, and libtorch's own errors as TorchError carrying the
 * same first line as PyTorch (compared with Python where both sides
 * word the check the same way).
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { errorOf } from './helpers/python.js';
import { ok, pyNN, pythonHasTorch, type PyError } from './20-nn-helpers.js';

const nn = torch.nn;
const F = nn.functional;
const z = (shape: number[]) => torch.zeros(shape);
const zb = (shape: number[]) => torch.zeros(shape, { dtype: 'bool' });

type Cls = new (...a: never[]) => Error;
/** [name, TS call, expected class, expected message] */
const CASES: [string, () => unknown, Cls, string][] = [
  // options
  [
    'Linear: unknown option (bais)',
    () => new nn.Linear(2, 3, { bais: false } as never),
    TypeError,
    "Unknown option 'bais' for Linear; expected one of: bias, device, dtype",
  ],
  [
    'Embedding: unknown option (padding_idx)',
    () => new nn.Embedding(5, 3, { padding_idx: 0 } as never),
    TypeError,
    "Unknown option 'padding_idx' for Embedding; expected one of: paddingIdx, device, dtype",
  ],
  [
    'LayerNorm: unknown option',
    () => new nn.LayerNorm(4, { elementwise_affine: false } as never),
    TypeError,
    "Unknown option 'elementwise_affine' for LayerNorm; expected one of: eps, elementwiseAffine, bias, device, dtype",
  ],
  [
    'Dropout: unknown option',
    () => new nn.Dropout(0.1, { inPlace: true } as never),
    TypeError,
    "Unknown option 'inPlace' for Dropout; expected one of: inplace, fastMask",
  ],
  [
    'MultiheadAttention: unknown option',
    () => new nn.MultiheadAttention(8, 2, { batch_first: true } as never),
    TypeError,
    "Unknown option 'batch_first' for MultiheadAttention; expected one of: dropout, bias, batchFirst, device, dtype",
  ],
  [
    'MultiheadAttention.forward: unknown option',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 8]), z([3, 2, 8]), z([3, 2, 8]), { attn_mask: null } as never),
    TypeError,
    "Unknown option 'attn_mask' for MultiheadAttention.forward; expected one of: keyPaddingMask, needWeights, attnMask, averageAttnWeights, isCausal",
  ],
  [
    'TransformerEncoderLayer: unknown option',
    () => new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 3 } as never),
    TypeError,
    "Unknown option 'dim_feedforward' for TransformerEncoderLayer; expected one of: dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, bias, fastDropout, device, dtype",
  ],
  [
    'TransformerEncoder.forward: unknown option',
    () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 4 }), 1).forward(z([2, 1, 8]), { src_mask: null } as never),
    TypeError,
    "Unknown option 'src_mask' for TransformerEncoder.forward; expected one of: mask, srcKeyPaddingMask, isCausal",
  ],
  [
    'crossEntropy: unknown option',
    () => F.crossEntropy(z([2, 3]), torch.tensor([0, 1]), { ignore_index: 0 } as never),
    TypeError,
    "Unknown option 'ignore_index' for crossEntropy; expected one of: weight, ignoreIndex, reduction, labelSmoothing",
  ],
  [
    'Module.to: unknown option',
    () => new nn.ReLU().to({ dtyp: 'float64' } as never),
    TypeError,
    "Unknown option 'dtyp' for Module.to; expected one of: device, dtype",
  ],
  // sizes and values
  [
    'MultiheadAttention: embedDim not divisible by numHeads',
    () => new nn.MultiheadAttention(10, 3),
    RangeError,
    'embed_dim must be divisible by num_heads (embedDim 10, numHeads 3)',
  ],
  [
    'TransformerEncoderLayer: dModel not divisible by nhead',
    () => new nn.TransformerEncoderLayer(10, 4),
    RangeError,
    'embed_dim must be divisible by num_heads (embedDim 10, numHeads 4)',
  ],
  [
    'TransformerEncoderLayer: unknown activation',
    () => new nn.TransformerEncoderLayer(8, 2, { activation: 'swish' as never }),
    TypeError,
    "Expected 'relu', 'gelu' or a function for activation but received 'swish' of type string",
  ],
  [
    'TransformerEncoder: zero layers',
    () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 4 }), 0),
    RangeError,
    'Expected a positive integer for numLayers but received 0 of type number',
  ],
  [
    'TransformerEncoder: not an encoder layer',
    () => new nn.TransformerEncoder(new nn.Linear(2, 2) as never, 2),
    TypeError,
    'Expected a TransformerEncoderLayer for encoderLayer but received an object of type Linear',
  ],
  ['Linear: negative size', () => new nn.Linear(-1, 3), RangeError, 'Expected a non-negative integer for inFeatures but received -1 of type number'],
  ['Embedding: paddingIdx outside the table', () => new nn.Embedding(5, 3, { paddingIdx: 5 }), RangeError, 'Padding_idx must be within num_embeddings'],
  [
    'Embedding: negative paddingIdx outside the table',
    () => new nn.Embedding(5, 3, { paddingIdx: -6 }),
    RangeError,
    'Padding_idx must be within num_embeddings',
  ],
  ['Embedding.fromPretrained: 1-D', () => nn.Embedding.fromPretrained(z([5])), RangeError, 'Embeddings parameter is expected to be 2-dimensional'],
  ['Dropout: p > 1', () => new nn.Dropout(1.5), RangeError, 'Expected a probability in [0, 1] for p but received 1.5 of type number'],
  ['Dropout: p < 0', () => new nn.Dropout(-0.1), RangeError, 'Expected a probability in [0, 1] for p but received -0.1 of type number'],
  ['Dropout: p NaN', () => new nn.Dropout(NaN), RangeError, 'Expected a probability in [0, 1] for p but received NaN of type number'],
  ['F.dropout: p > 1', () => F.dropout(z([2]), { p: 1.5 }), RangeError, 'dropout probability has to be between 0 and 1, but got 1.5'],
  ['GELU: unknown approximation', () => new nn.GELU('fast' as never), TypeError, "Expected 'none' or 'tanh' for approximate but received 'fast'"],
  [
    'crossEntropy: bad reduction',
    () => F.crossEntropy(z([2, 3]), torch.tensor([0, 1]), { reduction: 'avg' as never }),
    TypeError,
    "Expected 'none', 'mean' or 'sum' for crossEntropy reduction but received 'avg'",
  ],
  [
    'CrossEntropyLoss: bad reduction',
    () => new nn.CrossEntropyLoss({ reduction: 'avg' as never }).forward(z([2, 3]), torch.tensor([0, 1])),
    TypeError,
    "Expected 'none', 'mean' or 'sum' for reduction but received 'avg' of type string",
  ],
  [
    'crossEntropy: labelSmoothing > 1',
    () => F.crossEntropy(z([2, 3]), torch.tensor([0, 1]), { labelSmoothing: 1.5 }),
    RangeError,
    'Expected a value in [0, 1] for labelSmoothing but received 1.5 of type number',
  ],
  [
    'mseLoss: bad reduction',
    () => F.mseLoss(z([2]), z([2]), { reduction: 'all' as never }),
    TypeError,
    "Expected 'none', 'mean' or 'sum' for mseLoss reduction but received 'all'",
  ],
  [
    'binaryCrossEntropyWithLogits: target size',
    () => F.binaryCrossEntropyWithLogits(z([2, 2]), z([2, 3])),
    Error,
    'Target size ([2, 3]) must be the same as input size ([2, 2])',
  ],
  ['pad: odd length', () => F.pad(z([2, 2]), [1]), RangeError, 'Padding length must be divisible by 2'],
  ['pad: too long', () => F.pad(z([2]), [1, 1, 1, 1]), RangeError, 'Padding length too large'],
  [
    'pad: unknown mode',
    () => F.pad(z([2]), [1, 1], { mode: 'mirror' as never }),
    TypeError,
    "Expected 'constant', 'reflect', 'replicate' or 'circular' for pad mode but received 'mirror'",
  ],
  ['softmax: non-integer dim', () => F.softmax(z([2]), 1.5), TypeError, 'Expected an integer for dim but received 1.5 of type number'],
  // MultiheadAttention shapes
  // containers and registration
  ['Sequential: not a module', () => new nn.Sequential(3 as never), TypeError, 'Expected a Module for module but received 3 of type number'],
  [
    'ModuleList: index out of range',
    () => new nn.ModuleList([new nn.ReLU()]).get(2),
    RangeError,
    'Expected an index in [-1, 0] for index but received 2 of type number',
  ],
  ['ModuleDict: dotted name', () => new nn.ModuleDict({ 'a.b': new nn.ReLU() }), TypeError, 'module name can\'t contain ".", got: a.b'],
  [
    'registerBuffer: not a tensor',
    () => new nn.ReLU().registerBuffer('x', 3 as never),
    TypeError,
    "Expected a Tensor or null for buffer 'x' but received 3 of type number",
  ],
  ['ModuleList is not callable', () => new nn.ModuleList().forward(), Error, 'ModuleList is not callable: iterate over its modules'],
  [
    'loadStateDict: wrong shapes',
    () => new nn.Linear(2, 3).loadStateDict({ weight: z([3, 2]), bias: z([2]) }),
    Error,
    'Error(s) in loading state_dict for Linear:',
  ],
];

/** libtorch errors: TS call and the same call in Python; messages must be equal. */
const TORCH_CASES: [string, () => unknown, string][] = [
  ['Linear on the wrong feature size', () => new nn.Linear(2, 3).forward(z([4, 3])), 'nn.Linear(2, 3)(torch.zeros(4, 3))'],
  ['LayerNorm on the wrong trailing size', () => new nn.LayerNorm(4).forward(z([2, 3])), 'nn.LayerNorm(4)(torch.zeros(2, 3))'],
  ['Embedding index out of range', () => new nn.Embedding(5, 3).forward(torch.tensor([5])), 'nn.Embedding(5, 3)(torch.tensor([5]))'],
  ['Softmax over a missing dim', () => new nn.Softmax(3).forward(z([2])), 'nn.Softmax(3)(torch.zeros(2))'],
  ['crossEntropy target out of range', () => F.crossEntropy(z([2, 3]), torch.tensor([0, 3])), 'F.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 3]))'],
  ['nllLoss with a batch mismatch', () => new nn.NLLLoss().forward(z([3, 2]), torch.tensor([0, 1])), 'nn.NLLLoss()(torch.zeros(3, 2), torch.tensor([0, 1]))'],
  [
    'scaledDotProductAttention with a mask and isCausal',
    () => F.scaledDotProductAttention(z([2, 2]), z([2, 2]), z([2, 2]), { isCausal: true, attnMask: z([2, 2]) }),
    'F.scaled_dot_product_attention(torch.zeros(2, 2), torch.zeros(2, 2), torch.zeros(2, 2), is_causal=True, attn_mask=torch.zeros(2, 2))',
  ],
  ['mseLoss with unbroadcastable shapes', () => F.mseLoss(z([2, 3]), z([4])), 'F.mse_loss(torch.zeros(2, 3), torch.zeros(4))'],
];

/** Checks TS words the same way as Python. */
const PY_WORDED: [string, () => unknown, string][] = [
  [
    'MultiheadAttention: wrong embedding size',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 6]), z([3, 2, 6]), z([3, 2, 6])),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 2, 6), torch.zeros(3, 2, 6), torch.zeros(3, 2, 6))',
  ],
  [
    'MultiheadAttention: 4-D query',
    () => new nn.MultiheadAttention(8, 2).forward(z([1, 2, 3, 8]), z([1, 2, 3, 8]), z([1, 2, 3, 8])),
    'nn.MultiheadAttention(8, 2)(torch.zeros(1, 2, 3, 8), torch.zeros(1, 2, 3, 8), torch.zeros(1, 2, 3, 8))',
  ],
  [
    'MultiheadAttention: 1-D query (batchFirst)',
    () => new nn.MultiheadAttention(8, 2, { batchFirst: true }).forward(z([8]), z([8]), z([8])),
    'nn.MultiheadAttention(8, 2, batch_first=True)(torch.zeros(8), torch.zeros(8), torch.zeros(8))',
  ],
  [
    'MultiheadAttention: 2-D query with 3-D key',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 8]), z([3, 1, 8]), z([3, 1, 8])),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 8), torch.zeros(3, 1, 8), torch.zeros(3, 1, 8))',
  ],
  [
    'MultiheadAttention: key padding mask shape',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 8]), z([3, 2, 8]), z([3, 2, 8]), { keyPaddingMask: zb([3, 2]) }),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 2, 8), torch.zeros(3, 2, 8), torch.zeros(3, 2, 8), key_padding_mask=torch.zeros(3, 2, dtype=torch.bool))',
  ],
  [
    'MultiheadAttention: key padding mask length',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 8]), z([3, 2, 8]), z([3, 2, 8]), { keyPaddingMask: zb([2, 4]) }),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 2, 8), torch.zeros(3, 2, 8), torch.zeros(3, 2, 8), key_padding_mask=torch.zeros(2, 4, dtype=torch.bool))',
  ],
  [
    'MultiheadAttention: 1-D key padding mask for batched input',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 8]), z([3, 2, 8]), z([3, 2, 8]), { keyPaddingMask: zb([3]) }),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 2, 8), torch.zeros(3, 2, 8), torch.zeros(3, 2, 8), key_padding_mask=torch.zeros(3, dtype=torch.bool))',
  ],
  [
    'MultiheadAttention: 2-D key padding mask for unbatched input',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 8]), z([3, 8]), z([3, 8]), { keyPaddingMask: zb([1, 3]) }),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 8), torch.zeros(3, 8), torch.zeros(3, 8), key_padding_mask=torch.zeros(1, 3, dtype=torch.bool))',
  ],
  [
    'MultiheadAttention: 3-D attn mask for unbatched input',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 8]), z([3, 8]), z([3, 8]), { attnMask: zb([3, 3, 3]) }),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 8), torch.zeros(3, 8), torch.zeros(3, 8), attn_mask=torch.zeros(3, 3, 3, dtype=torch.bool))',
  ],
  [
    'MultiheadAttention: 2-D attn mask shape',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 8]), z([4, 2, 8]), z([4, 2, 8]), { attnMask: zb([3, 3]) }),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 2, 8), torch.zeros(4, 2, 8), torch.zeros(4, 2, 8), attn_mask=torch.zeros(3, 3, dtype=torch.bool))',
  ],
  [
    'MultiheadAttention: 3-D attn mask shape',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 8]), z([4, 2, 8]), z([4, 2, 8]), { attnMask: zb([2, 3, 4]) }),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 2, 8), torch.zeros(4, 2, 8), torch.zeros(4, 2, 8), attn_mask=torch.zeros(2, 3, 4, dtype=torch.bool))',
  ],
  [
    'MultiheadAttention: 4-D attn mask',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 8]), z([4, 2, 8]), z([4, 2, 8]), { attnMask: zb([1, 4, 3, 4]) }),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 2, 8), torch.zeros(4, 2, 8), torch.zeros(4, 2, 8), attn_mask=torch.zeros(1, 4, 3, 4, dtype=torch.bool))',
  ],
  [
    'MultiheadAttention: int attn mask',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 8]), z([4, 2, 8]), z([4, 2, 8]), { attnMask: torch.zeros([3, 4], { dtype: 'int64' }) }),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 2, 8), torch.zeros(4, 2, 8), torch.zeros(4, 2, 8), attn_mask=torch.zeros(3, 4, dtype=torch.int64))',
  ],
  [
    'MultiheadAttention: isCausal without a mask',
    () => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 8]), z([3, 2, 8]), z([3, 2, 8]), { isCausal: true }),
    'nn.MultiheadAttention(8, 2)(torch.zeros(3, 2, 8), torch.zeros(3, 2, 8), torch.zeros(3, 2, 8), is_causal=True)',
  ],
  ['F.dropout: p out of range', () => F.dropout(z([2]), { p: 1.5 }), 'F.dropout(torch.zeros(2), p=1.5)'],
];

const PY_ERRORS = `
msgs = []
for e in D:
    try:
        eval(e, {'torch': torch, 'nn': nn, 'F': F})
        msgs.append(None)
    except Exception as ex:
        msgs.append(str(ex).split('\\n')[0])
out = msgs
`;

describe('nn misuse throws specific errors', function () {
  this.timeout(120_000);

  describe('argument checks (exact messages)', () => {
    for (const [name, fn, cls, msg] of CASES) {
      it(name, () => {
        torch.tidy(() => {
          const e = errorOf(fn);
          expect(e, `${e.constructor.name}: ${e.message}`).to.be.instanceOf(cls);
          expect(e).to.not.be.instanceOf(torch.TorchError);
          if (msg.endsWith(':')) expect(e.message.startsWith(msg), e.message).to.equal(true);
          else expect(e.message).to.equal(msg);
        });
      });
    }
  });

  describe('as PyTorch words them', () => {
    let py: (string | null)[] = [];
    before(function () {
      if (!pythonHasTorch()) {
        console.log('    reference PyTorch not available: skipping');
        this.skip();
      }
      py = ok(pyNN<(string | null)[] | PyError>([{ kind: 'exec', code: PY_ERRORS, data: [...TORCH_CASES, ...PY_WORDED].map(([, , p]) => p) }])[0], 'errors');
    });
    TORCH_CASES.forEach(([name, fn], i) => {
      it(`${name} (TorchError)`, () => {
        torch.tidy(() => {
          expect(py[i], 'Python raised').to.be.a('string');
          const e = errorOf(fn);
          expect(e, `${e.constructor.name}: ${e.message}`).to.be.instanceOf(torch.TorchError);
          expect(e.message).to.equal(py[i]);
        });
      });
    });
    PY_WORDED.forEach(([name, fn], j) => {
      it(name, () => {
        torch.tidy(() => {
          const want = py[TORCH_CASES.length + j];
          expect(want, 'Python raised').to.be.a('string');
          const e = errorOf(fn);
          expect(e.message).to.equal(want);
        });
      });
    });
  });

  it("Embedding with float indices: TorchError with libtorch's message (Python renames the type)", () => {
    torch.tidy(() => {
      const e = errorOf(() => new nn.Embedding(5, 3).forward(z([2])));
      expect(e).to.be.instanceOf(torch.TorchError);
      expect(e.message).to.equal(
        "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got CPUFloatType instead (while checking arguments for embedding)",
      );
    });
  });

  describe('MultiheadAttention checks key and value too', () => {
    it('a 2-D key with a 3-D query is rejected up front (not by a reshape deep inside)', () => {
      torch.tidy(() => {
        const e = errorOf(() => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 8]), z([3, 8]), z([3, 8])));
        expect(e.message, e.message).to.match(/key/);
        expect(e.message).to.match(/3-D/);
      });
    });
    it('key and value of different lengths are rejected up front', () => {
      torch.tidy(() => {
        const e = errorOf(() => new nn.MultiheadAttention(8, 2).forward(z([3, 2, 8]), z([4, 2, 8]), z([5, 2, 8])));
        expect(e.message, e.message).to.match(/key/);
        expect(e.message).to.match(/value/);
      });
    });
  });
});
