/**
 * `npm run pretrain -- --from-pretrained DIR` (issue #18): a transformers
 * BertForPreTraining folder continues pretraining on a corpus prepared with
 * the folder's own tokenizer, checkpoints in this project's format and as a
 * transformers folder (which transformers reads with the same logits),
 * resumes mid-epoch with the uninterrupted run's losses, and refuses what
 * it cannot do with a message.
 */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../lib/torch/index.js';
import { loadBrownCorpus } from '../lib/bert/corpus.js';
import { BertTokenizer } from '../lib/bert/tokenizer/index.js';
import { BertForPreTraining, BertTokenizerFast, bertConfig, loadHfTrainingCheckpoint } from '../lib/bert/hf/index.js';
import { main } from '../lib/bert/cli/pretrain.js';
import { hfReference, requireTransformers, tempDir, maxAbsDiff, prng, randomBatch } from './helpers/hf.js';

async function runMain(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

function stepLosses(dir: string): number[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; loss: number })
    .filter((r) => r.type === 'step')
    .map((r) => r.loss);
}

describe('65 npm run pretrain --from-pretrained (continued pretraining of a transformers folder)', function () {
  this.timeout(300_000);
  const tmp = tempDir('hf-pretrain-');
  const start = join(tmp.dir, 'start');
  const corpus = join(tmp.dir, 'corpus.txt');
  const data = join(tmp.dir, 'data');
  const common = (out: string, steps: number) => [
    '--corpus',
    corpus,
    '--data',
    data,
    '--out',
    out,
    '--max-len',
    '48',
    '--batch-size',
    '8',
    '--max-steps',
    String(steps),
    '--threads',
    '2',
    '--seed',
    '5',
  ];

  before(() => {
    const docs = loadBrownCorpus({ maxDocuments: 24 });
    writeFileSync(corpus, `${docs.map((d) => d.join('\n')).join('\n\n')}\n`);
    const tok = new BertTokenizerFast(BertTokenizer.train(docs.flat(), { vocabSize: 800 }).vocab);
    tok.savePretrained(start);
    torch.manualSeed(4);
    const model = new BertForPreTraining(
      bertConfig({ vocabSize: tok.vocabSize, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 64, maxPositionEmbeddings: 64 }),
    );
    model.savePretrained(start);
  });
  after(() => tmp.remove());

  it('trains the folder on the corpus, writes last.pt and a transformers folder that transformers reads with our logits', async function () {
    requireTransformers(this);
    const out = join(tmp.dir, 'run-a');
    const r = await runMain(['--from-pretrained', start, ...common(out, 12)]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain(`pretrain: ${start} (BertForPreTraining)`);
    expect(r.out).to.contain(`saved the transformers folder ${join(out, 'hf')}`);
    const losses = stepLosses(out);
    expect(losses).to.have.length(12);
    // The checkpoint and the folder hold the same trained weights, which differ from the start.
    const { model: fromPt, checkpoint } = loadHfTrainingCheckpoint(join(out, 'last.pt'));
    const fromHf = BertForPreTraining.fromPretrained(join(out, 'hf'));
    const startModel = BertForPreTraining.fromPretrained(start);
    const a = fromPt.stateDict();
    const b = fromHf.stateDict();
    const s = startModel.stateDict();
    for (const k of Object.keys(b)) expect(torch.equal(a[k], b[k]), k).to.equal(true);
    expect(torch.equal(a['bert.embeddings.word_embeddings.weight'], s['bert.embeddings.word_embeddings.weight'])).to.equal(false);
    expect((checkpoint.train_config as Record<string, unknown>).from_pretrained).to.equal(start);
    expect(BertTokenizerFast.fromPretrained(join(out, 'hf')).tokenizer.vocab).to.deep.equal(BertTokenizerFast.fromPretrained(start).tokenizer.vocab);
    // transformers reads the folder and gives the logits we give.
    const batch = randomBatch(prng(3), 2, 10, fromHf.config.vocabSize);
    const py = hfReference<Record<string, { prediction_logits: number[]; seq_relationship_logits: number[] }>>({
      op: 'load',
      dirs: [{ dir: join(out, 'hf'), cls: 'BertForPreTraining' }],
      inputs: { ...batch, labels: {} },
    })[join(out, 'hf')];
    fromHf.eval();
    torch.noGrad(() => {
      const long = (x: number[][]) => torch.tensor(x, { dtype: 'int64' });
      const o = fromHf.forward(long(batch.input_ids), { attentionMask: long(batch.attention_mask), tokenTypeIds: long(batch.token_type_ids) });
      expect(maxAbsDiff(o.predictionLogits.dataSync(), py.prediction_logits)).to.be.below(1e-5);
      expect(maxAbsDiff(o.seqRelationshipLogits.dataSync(), py.seq_relationship_logits)).to.be.below(1e-5);
    });
  });

  it('a run resumed from the middle of an epoch takes the uninterrupted run steps (same losses)', async () => {
    const whole = join(tmp.dir, 'run-whole');
    const part = join(tmp.dir, 'run-part');
    expect((await runMain(['--from-pretrained', start, ...common(whole, 10)])).code).to.equal(0);
    expect((await runMain(['--from-pretrained', start, ...common(part, 4)])).code).to.equal(0);
    const resumed = await runMain(['--resume', join(part, 'last.pt'), '--max-steps', '10', '--threads', '2']);
    expect(resumed.code, resumed.err).to.equal(0);
    expect(stepLosses(part)).to.deep.equal(stepLosses(whole));
  });

  it('says what it cannot do', async () => {
    const out = join(tmp.dir, 'run-bad');
    const cases: [string[], string][] = [
      [
        ['--from-pretrained', join(tmp.dir, 'missing'), ...common(out, 2)],
        `pretrain: --from-pretrained ${join(tmp.dir, 'missing')}: Tokenizer folder ${join(tmp.dir, 'missing')} does not exist`,
      ],
      [
        ['--from-pretrained', start, '--train-csv', 'a.csv', '--test-csv', 'b.csv', '--vocab', 'v.txt'],
        "pretrain: --from-pretrained prepares the corpus with the folder's own tokenizer; it does not take --train-csv, --test-csv or --vocab",
      ],
      [['--from-pretrained', start, ...common(out, 2), '--max-len', '100'], "pretrain: --max-len 100 exceeds the model's max_position_embeddings (64)"],
    ];
    for (const [argv, message] of cases) {
      const r = await runMain(argv);
      expect(r.code, argv.join(' ')).to.equal(2);
      expect(r.err.split('\n').pop()).to.equal(message);
    }
  });
});
