/**
 * nn on CUDA against the reference PyTorch on CUDA
 * (scripts/reference-python.ts: TORCH_REF_PYTHON, else the Python whose torch the addon links): layers' outputs
 * and gradients, and the 20-step TransformerEncoder + NSP/MLM training run
 * (Adam with weight decay, clipGradNorm_) from identical weights. Everything
 * skips, saying why, without CUDA here or in the reference Python.
 */
import { referencePython } from '../../scripts/reference-python.js';
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import * as torch from '../../lib/torch/index.js';
import {
  encState,
  expectEnc,
  expectNear,
  jitter,
  mcase,
  moduleCases,
  ok,
  pyNN,
  randIn,
  fixedIn,
  tinyBatches,
  trainTiny,
  TinyBert,
  type Enc,
  type PyError,
  type TinyConfig,
} from '../20-nn-helpers.js';

const nn = torch.nn;
const PY = referencePython();

let why: string | null | undefined;
/** Null when CUDA is usable on both sides, else the reason to skip. */
function skipReason(): string | null {
  if (why !== undefined) return why;
  if (!torch.cuda.isAvailable()) {
    why = `CUDA not available: torch.cuda.isAvailable() is false (libtorch ${torch.version}, ${torch.cuda.deviceCount()} CUDA devices)`;
    return why;
  }
  const r = spawnSync(PY, ['-c', 'import torch; print(torch.__version__, torch.cuda.is_available())'], { encoding: 'utf8' });
  if (r.status !== 0) why = `reference Python ${PY} cannot import torch (set TORCH_REF_PYTHON)`;
  else if (!r.stdout.trim().endsWith('True')) why = `reference Python ${PY} (torch ${r.stdout.trim().split(' ')[0]}) has no CUDA`;
  else why = null;
  return why;
}

function requireCuda(ctx: Mocha.Context): void {
  const w = skipReason();
  if (w === null) return;
  console.log(`      ${w}; skipping "${ctx.currentTest?.title ?? ctx.test?.title ?? ''}"`);
  ctx.skip();
}

const E = 16,
  H = 4,
  L = 5,
  B = 3;
const kpm = fixedIn(
  Array.from({ length: B }, (_, i) => Array.from({ length: L }, (_, j) => j >= L - i)),
  'bool',
);
const causal = fixedIn(
  Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => j > i)),
  'bool',
);

describe('gpu 20: nn on CUDA vs the reference PyTorch on CUDA', function () {
  this.timeout(300_000);

  describe('layers: outputs and all gradients', () => {
    const tol = { rtol: 1e-4, atol: 1e-5 };
    moduleCases(
      [
        mcase({
          name: 'Linear',
          make: () => new nn.Linear(7, 5),
          build: 'nn.Linear(7, 5)',
          inputs: { x: randIn([4, 7], 1) },
          call: (m, x) => m.forward(x.x),
          pyCall: 'm(x)',
          tol,
        }),
        mcase({
          name: 'Embedding with paddingIdx',
          make: () => new nn.Embedding(9, 4, { paddingIdx: 0 }),
          build: 'nn.Embedding(9, 4, padding_idx=0)',
          inputs: {
            i: fixedIn(
              [
                [0, 3, 3, 8],
                [1, 0, 2, 3],
              ],
              'int64',
            ),
          },
          call: (m, x) => m.forward(x.i),
          pyCall: 'm(i)',
          tol,
        }),
        mcase({
          name: 'LayerNorm',
          make: () => jitter(new nn.LayerNorm(6)),
          build: 'nn.LayerNorm(6)',
          inputs: { x: randIn([3, 6], 2) },
          call: (m, x) => m.forward(x.x),
          pyCall: 'm(x)',
          tol,
        }),
        mcase({
          name: 'MultiheadAttention, batchFirst, keyPaddingMask + causal attnMask, per-head weights',
          make: () => jitter(new nn.MultiheadAttention(E, H, { batchFirst: true })),
          build: `nn.MultiheadAttention(${E}, ${H}, batch_first=True)`,
          inputs: { x: randIn([B, L, E], 3), kpm, am: causal },
          call: (m, x) => m.forward(x.x, x.x, x.x, { keyPaddingMask: x.kpm, attnMask: x.am, averageAttnWeights: false }),
          pyCall: 'm(x, x, x, key_padding_mask=kpm, attn_mask=am, average_attn_weights=False)',
          tol,
        }),
        mcase({
          name: 'TransformerEncoder (gelu, batchFirst, final norm) with srcKeyPaddingMask',
          make: () =>
            jitter(
              new nn.TransformerEncoder(new nn.TransformerEncoderLayer(E, H, { dimFeedforward: 32, dropout: 0, activation: 'gelu', batchFirst: true }), 2, {
                norm: new nn.LayerNorm(E),
              }),
            ),
          build: `nn.TransformerEncoder(nn.TransformerEncoderLayer(${E}, ${H}, 32, 0.0, activation='gelu', batch_first=True), 2, norm=nn.LayerNorm(${E}))`,
          inputs: { x: randIn([B, L, E], 4), kpm },
          call: (m, x) => m.forward(x.x, { srcKeyPaddingMask: x.kpm }),
          pyCall: 'm(x, src_key_padding_mask=kpm)',
          tol,
        }),
      ],
      { device: 'cuda', python: PY, skipUnless: skipReason },
    );
  });

  describe('training parity on CUDA', () => {
    const CONFIG: TinyConfig = { vocab: 30, d: 16, heads: 2, ff: 32, layers: 2 };
    const STEPS = 20;
    const OPT = { lr: 5e-3, weightDecay: 0.01, maxNorm: 1.0 };
    const batches = Array.from({ length: STEPS }, (_, i) => tinyBatches(CONFIG, 4, 4, 9)[i % 4]);
    let py: { losses: number[]; norms: number[]; stateKeys: [string, number[]][]; final: Record<string, Enc> | null };
    let ts: { losses: number[]; norms: number[] };
    let model: TinyBert;
    before(function () {
      requireCuda(this);
      torch.manualSeed(123);
      model = new TinyBert(CONFIG);
      const state = encState(model.stateDict());
      model.to('cuda');
      py = ok(
        pyNN<typeof py | PyError>([{ kind: 'train', device: 'cuda', config: CONFIG, state, batches, ...OPT, returnFinal: false }], { python: PY })[0],
        'cuda training',
      );
      ts = trainTiny(model, batches, { ...OPT, device: 'cuda' });
    });

    it('parameters live on cuda', () => {
      expect(model.parameters().every((p) => p.isCuda)).to.equal(true);
      expect(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape])).to.deep.equal(py.stateKeys);
    });

    it(`follows the reference loss trajectory for ${STEPS} steps within 1e-5 relative (and the gradient norms)`, () => {
      expect(
        py.norms.some((n) => n > OPT.maxNorm),
        'clipping happens',
      ).to.equal(true);
      expect(py.losses[STEPS - 1]).to.be.lessThan(py.losses[3] * 0.9);
      ts.losses.forEach((l, i) => expectNear(l, py.losses[i], 1e-5, `loss at step ${i}`));
      ts.norms.forEach((n, i) => expectNear(n, py.norms[i], 1e-4, `gradient norm at step ${i}`));
    });

    it('matches the CPU run of the same model', () => {
      torch.manualSeed(123);
      const cpu = new TinyBert(CONFIG);
      const r = trainTiny(cpu, batches, OPT);
      r.losses.forEach((l, i) => expectNear(ts.losses[i], l, 1e-4, `cuda vs cpu loss at step ${i}`));
      const a = cpu.stateDict();
      for (const [k, t] of Object.entries(model.stateDict())) {
        if (k.endsWith('in_proj_bias')) continue; // key-bias gradient is rounding noise (see 20-nn-training)
        expectEnc(t, { shape: a[k].shape, data: a[k].dataSync(), dtype: a[k].dtype }, `cuda vs cpu ${k}`, { rtol: 1e-3, atol: 1e-3 });
      }
    });
  });
});
