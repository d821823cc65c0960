/**
 * Training-step speed of the Hugging Face BERT against transformers, same
 * machine, same threads, same batch: BertForPreTraining at bert-mini's size
 * (4 layers, hidden 256, 4 heads, feed-forward 1024, vocabulary 30522),
 * 16 sequences of 128 tokens, AdamW, gradient clipping. transformers'
 * step (full-vocabulary MLM logits) against ours doing the same, and against
 * our masked-positions-only MLM head (forwardMasked).
 *
 *   npm run bench -- hf [--steps N] [--threads N]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { referencePython } from '../scripts/reference-python.js';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { BertForPreTraining, BERT_SIZES, bertConfig } from '../lib/bert/hf/index.js';

const VOCAB = 30522;
const BATCH = 16;
const SEQ = 128;

function argNum(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function tsStep(threads: number, steps: number, warmup: number, masked: boolean): { sec: number; loss: number } {
  torch.setNumThreads(threads);
  torch.manualSeed(0);
  const model = new BertForPreTraining(bertConfig({ ...BERT_SIZES.mini, vocabSize: VOCAB }));
  model.train();
  const params = model.parameters();
  const opt = new torch.optim.AdamW(params, { lr: 1e-4, weightDecay: 0.01 });
  const inputs = torch.tidy(() => {
    const mask = torch.ones([BATCH, SEQ], { dtype: 'int64' });
    mask.indexPut_([`:${BATCH / 2}`, `${SEQ - 8}:`], 0);
    const ids = torch.randint(5, VOCAB, [BATCH, SEQ]).mul(mask);
    const types = torch.zeros([BATCH, SEQ], { dtype: 'int64' });
    types.indexPut_([':', `${SEQ / 2}:`], 1);
    const labels = torch.where(torch.rand([BATCH, SEQ]).lt(0.15).logicalAnd(mask.eq(1)), ids, -100);
    return { ids, mask, types, labels, nsp: torch.randint(0, 2, [BATCH]) };
  });
  let loss = NaN;
  const step = () =>
    torch.tidy(() => {
      opt.zeroGrad();
      const common = { attentionMask: inputs.mask, tokenTypeIds: inputs.types, labels: inputs.labels, nextSentenceLabel: inputs.nsp };
      const l = masked ? model.forwardMasked(inputs.ids, common).loss : (model.forward(inputs.ids, common).loss as Tensor);
      l.backward();
      torch.nn.utils.clipGradNorm_(params, 1.0);
      opt.step();
      loss = l.item();
    });
  for (let i = 0; i < warmup; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const sec = (performance.now() - t0) / 1000 / steps;
  torch.dispose(Object.values(inputs));
  return { sec, loss };
}

function pyStep(threads: number, steps: number, warmup: number): number {
  const script = fileURLToPath(new URL('./python/train_hf.py', import.meta.url));
  const config = {
    vocab_size: VOCAB,
    num_hidden_layers: BERT_SIZES.mini.numHiddenLayers,
    hidden_size: BERT_SIZES.mini.hiddenSize,
    num_attention_heads: BERT_SIZES.mini.numAttentionHeads,
    intermediate_size: BERT_SIZES.mini.intermediateSize,
  };
  const r = spawnSync(referencePython(), [script], {
    input: JSON.stringify({ config, batch: BATCH, seq_len: SEQ, steps, warmup, threads }),
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop() as string) as { secPerStep: number }).secPerStep;
}

export function main(): void {
  const threads = argNum('threads', availableParallelism());
  const steps = argNum('steps', 10);
  const warmup = 2;
  console.log(
    `HF BertForPreTraining step (bert-mini size, vocabulary ${VOCAB}), batch ${BATCH} x ${SEQ} tokens, AdamW, ${threads} threads (libtorch ${torch.version})`,
  );
  const py = pyStep(threads, steps, warmup);
  const full = tsStep(threads, steps, warmup, false);
  const fast = tsStep(threads, steps, warmup, true);
  console.log(
    `transformers ${(py * 1000).toFixed(1)} ms/step | ts same step ${(full.sec * 1000).toFixed(1)} ms/step (transformers/ts ${(py / full.sec).toFixed(2)}x) | ` +
      `ts masked-positions MLM head ${(fast.sec * 1000).toFixed(1)} ms/step (transformers/ts ${(py / fast.sec).toFixed(2)}x)`,
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
