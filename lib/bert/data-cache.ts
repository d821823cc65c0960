/**
 * The cache of prepared corpora (under `data/` by default): one folder per
 * corpus content and settings. Its name ends with a hash of every input
 * file's bytes and every data setting, so an edited corpus or a changed
 * setting is prepared again, and two corpora never share a folder. A folder
 * is prepared aside and renamed into place when complete.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { brownCorpusDir, loadCorpus } from './corpus.js';
import { prepareData, writePreparedData } from './prepare.js';
import { writeFileAtomic } from './atomic-write.js';
import type { DataConfig } from './config/prepare.js';
import type { BertTokenizer } from './tokenizer/index.js';

const definitions = new WeakMap<BertTokenizer, Buffer>();

/** A tokenizer's whole definition (vocabulary, normalization, special tokens) as tokenizer.json's bytes (written once per tokenizer). */
function tokenizerDefinition(tokenizer: BertTokenizer): Buffer {
  const known = definitions.get(tokenizer);
  if (known !== undefined) return known;
  const scratch = mkdtempSync(join(tmpdir(), 'tokenizer-key-'));
  try {
    tokenizer.saveTokenizerJson(join(scratch, 'tokenizer.json'));
    const bytes = readFileSync(join(scratch, 'tokenizer.json'));
    definitions.set(tokenizer, bytes);
    return bytes;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Bumped when prepared data would differ for the same inputs and settings. */
const FORMAT = 1;

/** The files a corpus name stands for, in the order they are read. */
export function corpusFiles(corpus: string): string[] {
  if (corpus === 'brown') {
    const dir = brownCorpusDir();
    return readdirSync(dir)
      .filter((f) => /^c[a-r]\d\d$/.test(f))
      .sort()
      .map((f) => join(dir, f));
  }
  if (!existsSync(corpus)) throw new Error(`Corpus file ${corpus} does not exist`);
  if (statSync(corpus).isDirectory())
    return readdirSync(corpus)
      .filter((n) => n.endsWith('.txt'))
      .sort()
      .map((f) => join(corpus, f));
  return [corpus];
}

/**
 * The cache folder's name for a corpus and settings: `<name>-<hash of contents and settings>`;
 * with a given tokenizer, its whole definition (tokenizer.json) is hashed too.
 */
export function cacheKey(corpus: string, settings: DataConfig, tokenizer?: BertTokenizer): { key: string; hash: string } {
  const h = createHash('sha256');
  h.update(JSON.stringify({ format: FORMAT, settings: Object.entries(settings).sort() }));
  if (tokenizer !== undefined) h.update(tokenizerDefinition(tokenizer));
  for (const f of corpusFiles(corpus)) h.update(createHash('sha256').update(readFileSync(f)).digest());
  const hash = h.digest('hex');
  const name =
    corpus === 'brown'
      ? 'brown'
      : basename(corpus)
          .replace(/[^A-Za-z0-9._-]+/g, '_')
          .slice(0, 40);
  return { key: `${name}-${hash.slice(0, 16)}`, hash };
}

/** The files of a prepared folder. */
export interface PreparedFiles {
  train: string;
  test: string;
  vocab: string;
}

function filesIn(dir: string): PreparedFiles {
  return { train: join(dir, 'train.csv'), test: join(dir, 'test.csv'), vocab: join(dir, 'vocab.txt') };
}

/**
 * Prepares `corpus` with `settings` into the cache, or reuses the folder
 * prepared from the same contents and settings, saying which.
 * @param prepare false: only find the folder (another process prepares it); throws when it is not there.
 * @throws Error when the corpus cannot be read or prepared, or (with `prepare: false`) is not prepared.
 */
export function preparedCorpus(
  cacheDir: string,
  corpus: string,
  settings: DataConfig,
  opts: { prepare?: boolean; log?: (m: string) => void; tokenizer?: BertTokenizer } = {},
): PreparedFiles & { dir: string } {
  const log = opts.log ?? ((m: string) => console.log(m));
  const { key, hash } = cacheKey(corpus, settings, opts.tokenizer);
  const dir = join(cacheDir, key);
  const describeSettings = `max-len ${settings.maxLen}, ${opts.tokenizer !== undefined ? `a given ${opts.tokenizer.vocabSize}-token vocabulary` : `vocab-size ${settings.vocabSize}`}, seed ${settings.seed}`;
  if (existsSync(join(dir, 'READY'))) {
    const stats = JSON.parse(readFileSync(join(dir, 'READY'), 'utf8')) as { pairs?: { train: number; test: number }; vocabSize?: number };
    const what = stats.pairs !== undefined ? ` (${stats.pairs.train} training / ${stats.pairs.test} test pairs, vocabulary ${stats.vocabSize})` : '';
    log(`data: reusing ${dir}${what}: prepared from the same ${corpus} (sha256 ${hash.slice(0, 12)}... of its files and settings) with ${describeSettings}`);
    return { dir, ...filesIn(dir) };
  }
  if (opts.prepare === false) throw new Error(`data: ${dir} is not prepared`);
  log(`data: preparing ${corpus} into ${dir} (${describeSettings}) ...`);
  const data = prepareData(loadCorpus(corpus), { ...settings, ...(opts.tokenizer !== undefined ? { tokenizer: opts.tokenizer } : {}) });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  writePreparedData(tmp, data);
  const ready = {
    corpus,
    sha256: hash,
    settings,
    pairs: { train: data.train.length, test: data.test.length },
    vocabSize: data.stats.vocabSize,
    stats: data.stats,
  };
  writeFileAtomic(join(tmp, 'READY'), `${JSON.stringify(ready)}\n`);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    // Another process finished the same folder first: use it.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, 'READY'))) throw e;
  }
  log(`data: ${data.train.length} training pairs, ${data.test.length} test pairs, vocabulary ${data.stats.vocabSize}`);
  return { dir, ...filesIn(dir) };
}
