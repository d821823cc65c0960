/**
 * `npm run predict -- --checkpoint PATH "a sentence with [MASK]"` fills in
 * each [MASK]; `--nsp "sentence A" "sentence B"` says whether B follows A.
 * The tokenizer is the vocabulary stored in the checkpoint. Settings: config/predict.ts.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CommandLine, parseCommandLine, usage } from '../config/command-line.js';
import { PREDICT_SCHEMA, type PredictConfig } from '../config/predict.js';
import type { BertTokenizer } from '../tokenizer/index.js';
import { checkpointTokenizer, loadPretrained } from '../checkpoint.js';
import { predictMlm, predictNsp, InputTooLongError } from '../predict.js';

export const USAGE = usage(
  'npm run predict --',
  'Predicts masked tokens, or whether sentence B follows sentence A.',
  PREDICT_SCHEMA,
  '"sentence with [MASK]" | --nsp "A" "B"',
);

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let cl: CommandLine<PredictConfig>;
  try {
    cl = parseCommandLine(argv, PREDICT_SCHEMA, { positionals: true });
  } catch (e) {
    console.error(`predict: ${(e as Error).message}`);
    return 2;
  }
  if (cl.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const a = cl.config;
  if (a.checkpoint === undefined) {
    console.error('predict: --checkpoint PATH is required (see --help)');
    return 2;
  }
  const want = a.nsp ? 2 : 1;
  if (cl.positionals.length !== want) {
    console.error(a.nsp ? 'predict: --nsp needs two sentences: "A" "B"' : 'predict: give one sentence containing [MASK] (or --nsp "A" "B")');
    return 2;
  }
  const { model, checkpoint } = loadPretrained(a.checkpoint, { device: a.device, heads: a.heads });
  let tokenizer: BertTokenizer;
  try {
    ({ tokenizer } = checkpointTokenizer(checkpoint, a.checkpoint, a.vocab));
  } catch (e) {
    console.error(`predict: ${(e as Error).message}`);
    return 2;
  }
  try {
    if (a.nsp) {
      const p = predictNsp(cl.positionals[0], cl.positionals[1], model, tokenizer);
      console.log(`${p.label} (p(is next) = ${p.probability.toFixed(4)})`);
    } else {
      const p = predictMlm(cl.positionals[0], model, tokenizer, { topK: a.topK });
      console.log(p.sentence);
      for (const c of p.candidates) {
        console.log(`  position ${c.position}: ${c.tokens.map((t) => `${t.token} ${t.probability.toFixed(4)}`).join(', ')}`);
      }
    }
  } catch (e) {
    if (e instanceof InputTooLongError) {
      console.error(`predict: ${e.message}`);
      return 2;
    }
    throw e;
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`predict: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
