/**
 * `npm run prepare-data -- [options]`: builds the course's pretraining CSV
 * files from a corpus.
 *
 *   npm run prepare-data -- --corpus brown --out data
 *   npm run prepare-data -- --corpus my-text.txt --out data/mine --max-len 128 --seed 7
 *
 * Writes train.csv, test.csv, vocab.txt and tokenizer.json into --out and
 * prints a summary (documents, pairs, vocabulary size, time). Settings: config/prepare.ts.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCorpus, corpusStats } from '../corpus.js';
import { prepareData, writePreparedData } from '../prepare.js';
import { parseCommandLine, usage, type CommandLine } from '../config/command-line.js';
import { PREPARE_DATA_SCHEMA, type PrepareDataConfig } from '../config/prepare.js';

/** Usage text of `prepare-data`. */
export const USAGE = usage('npm run prepare-data --', 'Builds BERT pretraining data (next-sentence pairs with masked tokens) as CSV.', PREPARE_DATA_SCHEMA);

/**
 * Parses `prepare-data` arguments.
 * @throws UsageError for an unknown option or a missing value; TypeError/RangeError for a bad value.
 */
export function parsePrepareDataArgs(argv: readonly string[]): CommandLine<PrepareDataConfig> {
  return parseCommandLine(argv, PREPARE_DATA_SCHEMA);
}

/** Runs the command; returns the process exit code. */
export function main(argv: readonly string[]): number {
  let cl: CommandLine<PrepareDataConfig>;
  try {
    cl = parsePrepareDataArgs(argv);
  } catch (e) {
    console.error(`prepare-data: ${(e as Error).message}`);
    return 2;
  }
  if (cl.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { corpus: corpusName, out, ...settings } = cl.config;
  try {
    const started = performance.now();
    const corpus = loadCorpus(corpusName);
    const cs = corpusStats(corpus);
    const data = prepareData(corpus, settings);
    const files = writePreparedData(out, data);
    const { train, test } = data.stats;
    const pct = (x: number, n: number): string => `${((100 * x) / Math.max(1, n)).toFixed(1)}%`;
    const masked = train.masked + test.masked;
    console.log(`corpus        ${corpusName}: ${cs.documents} documents, ${cs.sentences} sentences, ${cs.words} words`);
    console.log(`documents     train ${train.documents}, test ${test.documents}`);
    console.log(
      `pairs         train ${train.pairs}, test ${test.pairs} (is next ${pct(train.isNext + test.isNext, train.pairs + test.pairs)}, truncated ${train.truncated + test.truncated})`,
    );
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

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
