/**
 * Training parity on CPU: a TransformerEncoder with NSP/MLM-like heads
 * (dropout 0), trained 20 steps with Adam (weight decay 0.01) and
 * clipGradNorm_ (max norm 1.0) from the same initial weights, follows PyTorch's
 * loss trajectory within 1e-5 relative (and its gradient norms).
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import {
  encState,
  expectEnc,
  expectNear,
  ok,
  pyNN,
  pythonHasTorch,
  tinyBatches,
  trainTiny,
  TinyBert,
  type Enc,
  type PyError,
  type TinyConfig,
} from './20-nn-helpers.js';

interface PyTrain {
  losses: number[];
  norms: number[];
  stateKeys: [string, number[]][];
  final: Record<string, Enc> | null;
}

const CONFIG: TinyConfig = { vocab: 30, d: 16, heads: 2, ff: 32, layers: 2 };
const STEPS = 20;
const OPT = { lr: 5e-3, weightDecay: 0.01, maxNorm: 1.0 };

describe('nn training parity: TransformerEncoder + NSP/MLM heads, Adam + clipGradNorm_ (CPU)', function () {
  this.timeout(120_000);
  let py: PyTrain;
  let model: TinyBert;
  // 4 batches seen 5 times each: the loss has to go down
  const batches = Array.from({ length: STEPS }, (_, i) => tinyBatches(CONFIG, 4, 4, 9)[i % 4]);
  let ts: { losses: number[]; norms: number[] };
  let keys: [string, number[]][];

  before(function () {
    if (!pythonHasTorch()) {
      console.log('    reference PyTorch not available: skipping');
      this.skip();
    }
    torch.manualSeed(123);
    model = new TinyBert(CONFIG);
    const state = encState(model.stateDict());
    keys = Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]);
    py = ok(pyNN<PyTrain | PyError>([{ kind: 'train', config: CONFIG, state, batches, ...OPT, returnFinal: true }])[0], 'training');
    ts = trainTiny(model, batches, OPT);
  });

  it('has the same state dict keys and shapes as the Python model', () => {
    expect(keys).to.deep.equal(py.stateKeys);
  });

  it(`follows PyTorch's loss trajectory for ${STEPS} steps within 1e-5 relative (and the gradient norms)`, () => {
    const { losses, norms } = ts;
    expect(losses.length).to.equal(STEPS);
    expect(py.losses.length).to.equal(STEPS);
    // the run must exercise clipping and actually learn
    expect(
      py.norms.some((n) => n > OPT.maxNorm),
      'clipping happens',
    ).to.equal(true);
    expect(py.losses[STEPS - 1], 'Python learns (same batch as step 3)').to.be.lessThan(py.losses[3] * 0.9);
    losses.forEach((l, i) => expectNear(l, py.losses[i], 1e-5, `loss at step ${i}`));
    norms.forEach((n, i) => expectNear(n, py.norms[i], 1e-4, `gradient norm at step ${i}`));
  });

  it('ends with the same parameters (but the key bias, whose gradient is rounding noise)', () => {
    // softmax is invariant to the key bias (it adds q·b_k to every key's score), so its
    // gradient is ~1e-9 noise that Adam normalizes into full-size steps: skip that slice
    const sd = model.stateDict();
    const d = CONFIG.d;
    let compared = 0;
    for (const [k, want] of Object.entries(py.final ?? {})) {
      if (k.endsWith('in_proj_bias')) {
        const t = sd[k];
        const keep = [...want.data.slice(0, d), ...want.data.slice(2 * d)];
        const ours = torch.tidy(() => torch.cat([t.narrow(0, 0, d), t.narrow(0, 2 * d, d)]));
        expectEnc(ours, { ...want, shape: [2 * d], data: keep }, `${k} (q and v parts)`, { rtol: 1e-3, atol: 1e-4 });
        ours.dispose();
      } else {
        expectEnc(sd[k], want, k, { rtol: 1e-3, atol: 1e-4 });
      }
      compared++;
    }
    expect(compared).to.equal(Object.keys(sd).length);
  });
});
