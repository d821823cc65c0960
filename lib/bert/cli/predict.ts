/**
 * `npm run predict -- --checkpoint PATH "a sentence with [MASK]"` fills in
 * each [MASK]; `--nsp "sentence A" "sentence B"` says whether B follows A.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, usage, type OptionSpec } from './args.js';
import { loadPretrained } from '../checkpoint.js';
import { BertTokenizer } from '../tokenizer.js';
import { predictMlm, predictNsp } from '../predict.js';

export const SPECS: Record<string, OptionSpec> = {
  checkpoint: { kind: 'string', help: 'checkpoint from npm run pretrain (or a Python state dict)' },
  vocab: { kind: 'string', help: 'vocab.txt (default: the one recorded in the checkpoint)' },
  nsp: { kind: 'flag', help: 'next-sentence prediction for two sentences', default: false },
  'top-k': { kind: 'int', help: 'candidates shown per [MASK]', default: 5 },
  heads: { kind: 'int', help: 'attention heads (only for bare state dicts without a config)' },
  device: { kind: 'string', help: "'cpu' or 'cuda'", default: 'cpu' },
};

export const USAGE = usage('npm run predict --', 'Predicts masked tokens, or whether sentence B follows sentence A.', SPECS, '"sentence with [MASK]" | --nsp "A" "B"');

export async function main(argv: readonly string[]): Promise<number> {
  let a;
  try {
    a = parseArgs(argv, SPECS);
  } catch (e) {
    console.error(`predict: ${(e as Error).message}`);
    return 2;
  }
  if (a.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (a.checkpoint === undefined) {
    console.error('predict: --checkpoint PATH is required (see --help)');
    return 2;
  }
  const want = a.nsp ? 2 : 1;
  if (a._.length !== want) {
    console.error(a.nsp ? 'predict: --nsp needs two sentences: "A" "B"' : 'predict: give one sentence containing [MASK] (or --nsp "A" "B")');
    return 2;
  }
  const { model, vocab } = loadPretrained(a.checkpoint as string, { device: a.device as string, heads: a.heads as number | undefined });
  const vocabPath = (a.vocab as string | undefined) ?? vocab;
  if (vocabPath === null) {
    console.error('predict: the checkpoint records no vocabulary; pass --vocab vocab.txt');
    return 2;
  }
  const tokenizer = BertTokenizer.fromVocabFile(vocabPath);
  if (tokenizer.vocabSize !== model.config.vocabSize) {
    console.error(`predict: ${vocabPath} has ${tokenizer.vocabSize} tokens but the model was trained with ${model.config.vocabSize}`);
    return 2;
  }
  if (a.nsp) {
    const p = predictNsp(a._[0], a._[1], model, tokenizer);
    console.log(`${p.label} (p(is next) = ${p.probability.toFixed(4)})`);
  } else {
    const p = predictMlm(a._[0], model, tokenizer, { topK: a['top-k'] as number });
    console.log(p.sentence);
    for (const c of p.candidates) {
      console.log(`  position ${c.position}: ${c.tokens.map((t) => `${t.token} ${t.probability.toFixed(4)}`).join(', ')}`);
    }
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
