import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadBrownCorpus, type Corpus } from '../lib/bert/corpus.js';
import { BertTokenizer } from '../lib/bert/tokenizer/index.js';
import { BERT_CSV_COLUMNS } from '../lib/bert/constants.js';
import { Mulberry32, examplesToCsv, prepareData, splitDocuments, writePreparedData, type PreparedData, type PretrainingExample } from '../lib/bert/prepare.js';
import { main as prepareMain, parsePrepareDataArgs } from '../lib/bert/cli/prepare-data.js';
import { PYTHON, runPython } from './helpers/python.js';

const CLS = 2;
const SEP = 3;
const MASK = 4;

/** Counts over examples, recomputed from the rows themselves. */
function measure(examples: PretrainingExample[]) {
  let isNext = 0;
  let tokens = 0;
  let masked = 0;
  let asMask = 0;
  let unchanged = 0;
  let random = 0;
  let withoutPrediction = 0;
  for (const e of examples) {
    isNext += e.isNext;
    let predicted = 0;
    e.bertInput.forEach((id, k) => {
      if (id === CLS || id === SEP) return;
      tokens++;
      if (e.bertLabel[k] === 0) return;
      masked++;
      predicted++;
      if (id === MASK) asMask++;
      else if (id === e.bertLabel[k]) unchanged++;
      else random++;
    });
    if (predicted === 0) withoutPrediction++;
  }
  return { pairs: examples.length, isNext, tokens, masked, asMask, unchanged, random, withoutPrediction };
}

describe('50 data: prepare-data', () => {
  let corpus: Corpus;
  let data: PreparedData;
  let dir: string;

  before(() => {
    corpus = loadBrownCorpus();
    data = prepareData(corpus, { seed: 7 });
    dir = mkdtempSync(path.join(tmpdir(), 'prepare-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('on the Brown corpus', () => {
    it('splits documents 90/10 and never puts a test document in training', () => {
      expect(data.testDocuments.length).to.equal(50);
      expect(data.trainDocuments.length).to.equal(450);
      const test = new Set(data.testDocuments);
      expect(data.trainDocuments.filter((d) => test.has(d))).to.deep.equal([]);
      const train = new Set(data.trainDocuments);
      for (const s of data.trainSources) {
        expect(train.has(s.docA) && train.has(s.docB), `train pair from ${s.docA}/${s.docB}`).to.equal(true);
      }
      for (const s of data.testSources) {
        expect(test.has(s.docA) && test.has(s.docB), `test pair from ${s.docA}/${s.docB}`).to.equal(true);
      }
      // Sentences unique to test documents never occur in the training pairs.
      const trainSentences = new Set<string>();
      for (const s of data.trainSources) {
        trainSentences.add(corpus[s.docA][s.sentA]);
        trainSentences.add(corpus[s.docB][s.sentB]);
      }
      const onlyInTest = data.testDocuments.flatMap((d) => corpus[d]).filter((s) => s.length > 60);
      expect(onlyInTest.length).to.be.above(1000);
      expect(onlyInTest.filter((s) => trainSentences.has(s))).to.deep.equal([]);
    });

    it('makes one pair per consecutive sentences, about half of them true next sentences', () => {
      const m = measure(data.train);
      expect(m.pairs).to.equal(data.stats.train.pairs);
      expect(m.pairs).to.be.above(50_000);
      expect(m.isNext / m.pairs).to.be.within(0.49, 0.51);
      const t = measure(data.test);
      expect(t.isNext / t.pairs).to.be.within(0.47, 0.53);
      // True pairs really are consecutive; random ones come from another document.
      data.train.forEach((e, i) => {
        const s = data.trainSources[i];
        if (e.isNext === 1) expect([s.docB, s.sentB]).to.deep.equal([s.docA, s.sentA + 1]);
        else expect(s.docB).to.not.equal(s.docA);
      });
    });

    it('masks 15% of the tokens: 80% [MASK], 10% random, 10% unchanged', () => {
      const m = measure(data.train);
      expect(m.masked / m.tokens).to.be.within(0.145, 0.155);
      expect(m.asMask / m.masked).to.be.within(0.79, 0.81);
      expect(m.random / m.masked).to.be.within(0.09, 0.11);
      expect(m.unchanged / m.masked).to.be.within(0.09, 0.11);
      expect(m.withoutPrediction).to.equal(0);
      expect(m.masked).to.equal(data.stats.train.masked);
    });

    it('lays out [CLS] A [SEP] B [SEP] with segments 1/2 within maxLen', () => {
      let truncated = 0;
      const problems: string[] = [];
      data.train.concat(data.test).forEach((e, i) => {
        const n = e.bertInput.length;
        const seps = e.bertInput.flatMap((id, k) => (id === SEP ? [k] : []));
        const firstSep = seps[0];
        const ok =
          n <= 64 &&
          e.bertLabel.length === n &&
          e.segmentLabel.length === n &&
          e.bertInput[0] === CLS &&
          e.bertInput[n - 1] === SEP &&
          seps.length === 2 &&
          firstSep >= 2 &&
          firstSep <= n - 3 && // A and B hold at least one token each
          e.segmentLabel.every((s, k) => s === (k <= firstSep ? 1 : 2)) &&
          e.bertLabel[0] === 0 &&
          e.bertLabel[firstSep] === 0 &&
          e.bertLabel[n - 1] === 0 &&
          (e.isNext === 0 || e.isNext === 1);
        if (!ok && problems.length < 3) problems.push(`example ${i}: ${JSON.stringify(e)}`);
        if (n === 64) truncated++;
      });
      expect(problems).to.deep.equal([]);
      expect(truncated).to.be.above(1000);
      expect(data.stats.vocabSize).to.equal(30522);
    });

    it('writes CSV that pandas + json.loads read exactly as the course does', function () {
      const files = writePreparedData(dir, data);
      const csv = readFileSync(files.train, 'utf8');
      expect(csv.slice(0, csv.indexOf('\n'))).to.equal('BERT Input,BERT Label,Segment Label,Is Next');
      const first = data.train[0];
      expect(csv.split('\n')[1]).to.equal(
        `"[${first.bertInput.join(', ')}]","[${first.bertLabel.join(', ')}]","[${first.segmentLabel.join(', ')}]",${first.isNext}`,
      );
      expect(readFileSync(files.vocab, 'utf8').split('\n').length).to.equal(30523);
      const reloaded = BertTokenizer.fromTokenizerJson(files.tokenizerJson);
      expect(reloaded.encode(corpus[3][4])).to.deep.equal(data.tokenizer.encode(corpus[3][4]));

      if (spawnSync(PYTHON, ['-c', 'import pandas, torch'], { stdio: 'ignore' }).status !== 0) {
        this.skip(); // setup installs python3-pandas; without it there is nothing to compare with
      }
      const py = runPython<{ columns: string[]; rows: number; isNextDtype: string; sums: number[]; shapes: number[][] }>(
        `
import json, sys
import pandas as pd
import torch
from torch.nn.utils.rnn import pad_sequence
df = pd.read_csv(sys.argv[1])
inputs = [json.loads(v) for v in df['BERT Input']]
labels = [json.loads(v) for v in df['BERT Label']]
segments = [json.loads(v) for v in df['Segment Label']]
sums = [sum(map(sum, inputs)), sum(map(sum, labels)), sum(map(sum, segments)),
        int(df['Is Next'].sum()), sum(map(len, inputs))]
items = []
for idx in range(8):
    row = df.iloc[idx]  # the course's __getitem__
    items.append((torch.tensor(json.loads(row['BERT Input']), dtype=torch.long),
                  torch.tensor(json.loads(row['Segment Label']), dtype=torch.long),
                  torch.tensor(row['Is Next'], dtype=torch.long)))
batch = pad_sequence([i[0] for i in items[:8]], batch_first=False, padding_value=0)
print(json.dumps({'columns': list(df.columns), 'rows': len(df), 'isNextDtype': str(df['Is Next'].dtype),
                  'sums': sums, 'shapes': [list(batch.shape), list(items[0][2].shape)]}))
`,
        null,
        { args: [files.train] },
      );
      let sums = [0, 0, 0, 0, 0];
      for (const e of data.train) {
        sums = [
          sums[0] + e.bertInput.reduce((a, b) => a + b, 0),
          sums[1] + e.bertLabel.reduce((a, b) => a + b, 0),
          sums[2] + e.segmentLabel.reduce((a, b) => a + b, 0),
          sums[3] + e.isNext,
          sums[4] + e.bertInput.length,
        ];
      }
      expect(py.columns).to.deep.equal([...BERT_CSV_COLUMNS]);
      expect(py.rows).to.equal(data.train.length);
      expect(py.isNextDtype).to.equal('int64');
      expect(py.sums).to.deep.equal(sums);
      const longest = Math.max(...data.train.slice(0, 8).map((e) => e.bertInput.length));
      expect(py.shapes).to.deep.equal([[longest, 8], []]);
    });
  });

  describe('determinism and options', () => {
    const small = (): Corpus => corpus.slice(0, 60);

    it('gives identical files for a seed and different ones for another seed', () => {
      const a = prepareData(small(), { seed: 3, vocabSize: 3000 });
      const b = prepareData(small(), { seed: 3, vocabSize: 3000 });
      const c = prepareData(small(), { seed: 4, vocabSize: 3000 });
      expect(examplesToCsv(a.train)).to.equal(examplesToCsv(b.train));
      expect(examplesToCsv(a.test)).to.equal(examplesToCsv(b.test));
      expect(a.tokenizer.vocab).to.deep.equal(b.tokenizer.vocab);
      expect(examplesToCsv(a.train)).to.not.equal(examplesToCsv(c.train));
      expect(a.tokenizer.vocabSize).to.equal(3000);
    });

    it('truncates to maxLen and honours the probabilities', () => {
      const d = prepareData(small(), { seed: 1, vocabSize: 2000, maxLen: 16, nspProbability: 1, maskProbability: 0.3, testFraction: 0.2 });
      expect(d.testDocuments.length).to.equal(12);
      for (const e of d.train) expect(e.bertInput.length).to.be.at.most(16);
      const m = measure(d.train);
      expect(m.isNext).to.equal(m.pairs);
      expect(m.masked / m.tokens).to.be.within(0.28, 0.34);
    });

    it('uses a given tokenizer (a standard BERT vocab layout) for the special ids', () => {
      const vocab = ['[PAD]', ...Array.from({ length: 99 }, (_, i) => `[unused${i}]`), '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
      const tok = BertTokenizer.train(small().flat(), { vocabSize: 1500 });
      const bertLike = new BertTokenizer(vocab.concat(tok.vocab.slice(5)));
      const d = prepareData(small(), { seed: 2, tokenizer: bertLike });
      for (const e of d.train.slice(0, 200)) {
        expect(e.bertInput[0]).to.equal(101);
        expect(e.bertInput[e.bertInput.length - 1]).to.equal(102);
        expect(e.bertInput.filter((id) => id === 102).length).to.equal(2);
        expect(e.bertInput.includes(0)).to.equal(false); // [PAD] is never a random replacement
        expect(e.segmentLabel[0]).to.equal(1);
      }
      expect(d.train.some((e) => e.bertInput.includes(103))).to.equal(true);
      expect(measure(d.train).pairs).to.be.above(1000);
    });

    it('rejects bad options and corpora', () => {
      expect(() => prepareData(small(), { maxLen: 4 })).to.throw(RangeError, 'Expected an integer in [5, 5000] for maxLen but received 4 of type number');
      expect(() => prepareData(small(), { testFraction: 1 })).to.throw(
        RangeError,
        'Expected a number in [0, 1) for testFraction but received 1 of type number',
      );
      expect(() => prepareData(small(), { seed: 1.5 })).to.throw(TypeError, 'Expected an integer in [0, 2147483647] for seed but received 1.5 of type number');
      expect(() => prepareData(small(), { maxlen: 10 } as never)).to.throw(TypeError, "Unknown option 'maxlen' for prepareData");
      expect(() => prepareData([['One sentence only.'], ['Another.']])).to.throw('The corpus needs at least 2 documents of 2 or more sentences; it has 0');
    });

    it('splits by a seeded shuffle (mulberry32)', () => {
      const rng = new Mulberry32(123);
      const first = [rng.random(), rng.random()];
      const again = new Mulberry32(123);
      expect([again.random(), again.random()]).to.deep.equal(first);
      const s = splitDocuments(10, 0.25, new Mulberry32(5));
      expect(s.test.length).to.equal(3); // round(2.5)
      expect([...s.train, ...s.test].sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(splitDocuments(3, 0.1, new Mulberry32(5)).test.length).to.equal(1);
    });
  });

  describe('prepare-data command', () => {
    it('parses options and rejects unknown ones', () => {
      const cl = parsePrepareDataArgs(['--corpus', 'x.txt', '--out=o', '--max-len', '32', '--seed', '9', '--test-fraction', '0.2']);
      expect(cl.config).to.deep.equal({
        corpus: 'x.txt',
        out: 'o',
        maxLen: 32,
        seed: 9,
        testFraction: 0.2,
        vocabSize: 30522,
        minFrequency: 2,
        nspProbability: 0.5,
        maskProbability: 0.15,
      });
      expect([...cl.given].sort()).to.deep.equal(['corpus', 'maxLen', 'out', 'seed', 'testFraction']);
      expect(cl.help).to.equal(false);
      expect(() => parsePrepareDataArgs(['--max-length', '3'])).to.throw('Unknown option --max-length (see --help)');
      expect(() => parsePrepareDataArgs(['--seed', 'abc'])).to.throw(TypeError, "Expected an integer in [0, 2147483647] for --seed but received 'abc'");
      expect(() => parsePrepareDataArgs(['--out'])).to.throw('Option --out needs a value (see --help)');
      expect(parsePrepareDataArgs(['--help']).help).to.equal(true);
    });

    it('writes the four files from a text corpus and prints a summary', () => {
      const text = corpus
        .slice(0, 30)
        .map((d) => d.join('\n'))
        .join('\n\n');
      const file = path.join(dir, 'corpus.txt');
      writeFileSync(file, text);
      const out = path.join(dir, 'out');
      const logs: string[] = [];
      const errors: string[] = [];
      const log = console.log;
      const error = console.error;
      console.log = (...a: unknown[]) => void logs.push(a.join(' '));
      console.error = (...a: unknown[]) => void errors.push(a.join(' '));
      let rc: number;
      let bad: number;
      try {
        rc = prepareMain(['--corpus', file, '--out', out, '--vocab-size', '1500', '--max-len', '32', '--seed', '5']);
        bad = prepareMain(['--corpus', file, '--bogus']);
      } finally {
        console.log = log;
        console.error = error;
      }
      expect(rc).to.equal(0);
      expect(bad).to.equal(2);
      expect(errors).to.deep.equal(['prepare-data: Unknown option --bogus (see --help)']);
      for (const f of ['train.csv', 'test.csv', 'vocab.txt', 'tokenizer.json']) expect(existsSync(path.join(out, f)), f).to.equal(true);
      const summary = logs.join('\n');
      expect(summary).to.match(/documents +train 27, test 3/);
      expect(summary).to.match(/vocab size +1500/);
      expect(summary).to.match(/pairs +train \d+, test \d+ \(is next \d+\.\d%/);
      expect(summary).to.match(/time +\d+\.\d s/);
    });
  });
});
