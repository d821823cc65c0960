/**
 * Reference transformers for the Hugging Face BERT tests: runs
 * test/python/hf_bert_ref.py with the reference Python (JSON request in, JSON
 * answer out), and small shared pieces (a seeded PRNG, max differences, the
 * small test config).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { PYTHON } from './python.js';

const SCRIPT = fileURLToPath(new URL('../python/hf_bert_ref.py', import.meta.url));

let available: boolean | undefined;

/** True when the reference Python imports transformers and safetensors (scripts/setup.sh installs them into .venv). */
export function hasTransformers(): boolean {
  available ??= spawnSync(PYTHON, ['-c', 'import transformers, safetensors'], { stdio: 'ignore' }).status === 0;
  return available;
}

/** Skips the suite, saying why, when transformers is missing (mocha `before`). */
export function requireTransformers(ctx: Mocha.Context): void {
  if (!hasTransformers()) {
    console.log(`    (skipped: ${PYTHON} cannot import transformers; run scripts/setup.sh or pip install transformers safetensors)`);
    ctx.skip();
  }
}

/**
 * Runs one request of hf_bert_ref.py (single-threaded torch, so numbers do not depend on the machine's cores).
 * @throws Error with Python's stderr when it fails.
 */
export function hfReference<R = unknown>(request: Record<string, unknown>, timeoutMs = 170_000): R {
  const r = spawnSync(PYTHON, [SCRIPT], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: timeoutMs,
    env: { ...process.env, PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1', OMP_NUM_THREADS: '1', TOKENIZERS_PARALLELISM: 'false' },
  });
  if (r.error) throw new Error(`hf_bert_ref.py failed to run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`hf_bert_ref.py exited with ${r.status}:\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as R;
}

/** A fresh temporary folder and its removal. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** mulberry32: a small seeded PRNG, so both sides get the same inputs without Python drawing them. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [lo, hi). */
export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo));
}

/** max |a - b| over equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length, 'lengths').to.equal(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A small BERT in config.json's names (vocab 120, hidden 32, 2 layers, 4 heads). */
export const SMALL_CONFIG = {
  vocab_size: 120,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 37,
  max_position_embeddings: 40,
  type_vocab_size: 2,
};

/** Batch-first inputs as lists: ids with padding, mask, segments, MLM labels (-100 unmasked), NSP labels. */
export interface ListBatch {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
  labels: number[][];
  next_sentence_label: number[];
}

/**
 * A random batch of B sequences of length S for a vocabulary of V ([PAD]=0,
 * ids 5.. are words): each row padded after a random length, segment B on
 * its second half, ~20% of real tokens labelled (at least one per row).
 */
export function randomBatch(rand: () => number, b: number, s: number, v: number): ListBatch {
  const out: ListBatch = { input_ids: [], attention_mask: [], token_type_ids: [], labels: [], next_sentence_label: [] };
  for (let i = 0; i < b; i++) {
    const len = i === 0 ? s : randInt(rand, Math.ceil(s / 2), s + 1);
    const ids: number[] = [];
    const mask: number[] = [];
    const types: number[] = [];
    const labels: number[] = [];
    for (let j = 0; j < s; j++) {
      const real = j < len;
      ids.push(real ? randInt(rand, 5, v) : 0);
      mask.push(real ? 1 : 0);
      types.push(real && j >= len / 2 ? 1 : 0);
      labels.push(real && (j === 1 || rand() < 0.2) ? randInt(rand, 5, v) : -100);
    }
    out.input_ids.push(ids);
    out.attention_mask.push(mask);
    out.token_type_ids.push(types);
    out.labels.push(labels);
    out.next_sentence_label.push(randInt(rand, 0, 2));
  }
  return out;
}
