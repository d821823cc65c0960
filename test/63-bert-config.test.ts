/**
 * One typed configuration for the three CLIs (issue #16): `--help` is the
 * old text except for the changes issues #16 and #12 made (listed here, line
 * by line), the command line is parsed by util.parseArgs with one message
 * shape, values out of range are refused before anything runs (issue #12:
 * --threads, --epochs 0, --max-steps 0, negative --warmup-steps, --top-k 0),
 * and train() checks the same settings given in code.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { main as pretrainMain, USAGE as PRETRAIN_USAGE } from '../lib/bert/cli/pretrain.js';
import { main as predictMain, USAGE as PREDICT_USAGE } from '../lib/bert/cli/predict.js';
import { USAGE as PREPARE_USAGE, parsePrepareDataArgs } from '../lib/bert/cli/prepare-data.js';
import { parseCommandLine, UsageError } from '../lib/bert/config/command-line.js';
import { flagName, int, resolveConfig } from '../lib/bert/config/fields.js';
import { PRETRAIN_SCHEMA } from '../lib/bert/config/pretrain.js';
import { trainConfigDict, trainConfigFromCheckpoint } from '../lib/bert/checkpoint.js';
import { train } from '../lib/bert/train.js';
import { BERT, presetConfig } from '../lib/bert/model.js';
import * as torch from '../lib/torch/index.js';

const helpBefore = (name: string): string => readFileSync(new URL(`./fixtures/cli-help-before/${name}-help.txt`, import.meta.url), 'utf8');

/** Lines only in `a`, lines only in `b`. */
function lineDiff(a: string, b: string): { removed: string[]; added: string[] } {
  const la = a.split('\n');
  const lb = b.split('\n');
  return { removed: la.filter((l) => !lb.includes(l)), added: lb.filter((l) => !la.includes(l)) };
}

/** Runs a CLI's main in this process; returns its exit code and what it printed. */
async function capture(fn: () => number | Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await fn();
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('63 BERT configuration and command lines', function () {
  this.timeout(60_000);

  describe('--help is unchanged except where issues #16 and #12 changed it', () => {
    it('pretrain: the --out default (#12: a new runs/<preset>-N folder) and five new flags (#12 --save-every/--save-every-minutes, #16 --max-grad-norm, #17 --nproc-per-node, #18 --from-pretrained)', () => {
      expect(lineDiff(helpBefore('pretrain'), PRETRAIN_USAGE)).to.deep.equal({
        removed: ['  --out VALUE              run folder (checkpoints, metrics.jsonl, loss.png) (default: runs/<preset>)'],
        added: [
          '  --out VALUE              run folder (checkpoints, metrics.jsonl, loss.png) (default: runs/<preset>, or runs/<preset>-N when that holds a run)',
          '  --max-grad-norm N        gradient norm clip (default: 1)',
          '  --save-every N           also checkpoint (last.pt) every N steps',
          '  --save-every-minutes M   also checkpoint (last.pt) every M minutes (default: 10)',
          '  --nproc-per-node N       train on N processes with torchrun (DDP)',
          '  --from-pretrained DIR    continue pretraining a transformers BERT folder (config.json, weights, vocab.txt or tokenizer.json)',
        ],
      });
    });

    it('predict: --vocab defaults to the vocabulary stored in the checkpoint (#12), not a recorded path', () => {
      expect(lineDiff(helpBefore('predict'), PREDICT_USAGE)).to.deep.equal({
        removed: ['  --vocab VALUE            vocab.txt (default: the one recorded in the checkpoint)'],
        added: ['  --vocab VALUE            vocab.txt (default: the one stored in the checkpoint)'],
      });
    });

    it('prepare-data: the same options and defaults in the one generated layout (#16), plus --nsp-probability and --mask-probability', () => {
      const opts = (text: string) => [...text.matchAll(/^ {2}(--[a-z-]+) (\S+)?[^\n]*?(?:\(default: ([^)]+)\))?\s*$/gm)].map((m) => [m[1], m[3] ?? null]);
      // The old text wrapped help lines; its options and defaults, read from its option lines:
      const old = [...helpBefore('prepare-data').matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
      const oldDefaults = [...helpBefore('prepare-data').matchAll(/\(default: ([^)]+)\)/g)].map((m) => m[1]);
      const now = opts(PREPARE_USAGE).filter(([o]) => o !== '--help');
      expect(now.map(([o]) => o)).to.deep.equal([...old.filter((o) => o !== '--help'), '--nsp-probability', '--mask-probability']);
      expect(now.slice(0, oldDefaults.length).map(([, d]) => d)).to.deep.equal(oldDefaults);
      expect(PREPARE_USAGE.split('\n').slice(0, 4)).to.deep.equal(helpBefore('prepare-data').split('\n').slice(0, 4));
    });
  });

  describe('parsing', () => {
    it('reads --name value, --name=value, flags, negative numbers and -h; unknown options, missing values and values for flags are refused', () => {
      const cl = parseCommandLine(['--epochs', '3', '--lr=5e-4', '--exact-course', '--warmup-steps', '7', '-h'], PRETRAIN_SCHEMA);
      expect(cl.config.epochs).to.equal(3);
      expect(cl.config.lr).to.equal(5e-4);
      expect(cl.config.exactCourse).to.equal(true);
      expect(cl.config.batchSize).to.equal(32);
      expect(cl.config.out).to.equal(undefined);
      expect(cl.help).to.equal(true);
      expect([...cl.given].sort()).to.deep.equal(['epochs', 'exactCourse', 'lr', 'warmupSteps']);
      expect(() => parseCommandLine(['--epochz', '3'], PRETRAIN_SCHEMA)).to.throw(UsageError, 'Unknown option --epochz (see --help)');
      expect(() => parseCommandLine(['--out'], PRETRAIN_SCHEMA)).to.throw(UsageError, 'Option --out needs a value (see --help)');
      expect(() => parseCommandLine(['--out', '--epochs', '2'], PRETRAIN_SCHEMA)).to.throw(UsageError, 'Option --out needs a value (see --help)');
      expect(() => parseCommandLine(['--exact-course=false'], PRETRAIN_SCHEMA)).to.throw(UsageError, 'Option --exact-course takes no value (see --help)');
      expect(() => parseCommandLine(['stray'], PRETRAIN_SCHEMA)).to.throw(UsageError, "unexpected argument 'stray' (see --help)");
      expect(() => parseCommandLine(['--warmup-steps', '-5'], PRETRAIN_SCHEMA)).to.throw(
        RangeError,
        "Expected an integer >= 0 for --warmup-steps but received '-5'",
      );
    });

    it('values: one message shape, TypeError for the wrong kind and RangeError out of range', () => {
      const cases: [string[], ErrorConstructor, string][] = [
        [['--epochs', 'two'], TypeError, "Expected an integer >= 1 for --epochs but received 'two'"],
        [['--epochs', '1.5'], TypeError, "Expected an integer >= 1 for --epochs but received '1.5'"],
        [['--epochs', '0'], RangeError, "Expected an integer >= 1 for --epochs but received '0'"],
        [['--max-steps', '0'], RangeError, "Expected an integer >= 1 for --max-steps but received '0'"],
        [['--warmup-steps=-1'], RangeError, "Expected an integer >= 0 for --warmup-steps but received '-1'"],
        [['--lr', '0'], RangeError, "Expected a number > 0 for --lr but received '0'"],
        [['--lr', 'Infinity'], RangeError, "Expected a number > 0 for --lr but received 'Infinity'"],
        [['--preset', 'huge'], RangeError, "Expected one of course, tiny, mini, small, base for --preset but received 'huge'"],
        [['--threads', '100000000'], RangeError, `Expected an integer in [1, ${4 * availableParallelism()}] for --threads but received '100000000'`],
        [['--seed', '-1'], RangeError, "Expected an integer in [0, 2147483647] for --seed but received '-1'"],
        [['--max-len', '6000'], RangeError, "Expected an integer in [5, 5000] for --max-len but received '6000'"],
        [['--batch-size', ''], TypeError, "Expected an integer >= 1 for --batch-size but received ''"],
      ];
      for (const [argv, E, message] of cases) {
        expect(() => parseCommandLine(argv, PRETRAIN_SCHEMA), argv.join(' ')).to.throw(E, message);
      }
    });

    it('pretrain, predict and prepare-data print the message and exit with 2 before doing anything', async () => {
      for (const [argv, message] of [
        [['--epochs', '0'], "pretrain: Expected an integer >= 1 for --epochs but received '0'"],
        [['--max-steps', '0'], "pretrain: Expected an integer >= 1 for --max-steps but received '0'"],
        [['--warmup-steps', '-5'], "pretrain: Expected an integer >= 0 for --warmup-steps but received '-5'"],
        [['--threads', '100000000'], `pretrain: Expected an integer in [1, ${4 * availableParallelism()}] for --threads but received '100000000'`],
        [['--epochz', '3'], 'pretrain: Unknown option --epochz (see --help)'],
      ] as const) {
        const r = await capture(() => pretrainMain(argv));
        expect(r.code, argv.join(' ')).to.equal(2);
        expect(r.err).to.equal(message);
        expect(r.out).to.equal('');
      }
      if (!torch.cuda.isAvailable()) {
        const dev = await capture(() => pretrainMain(['--device', 'cuda']));
        expect(dev.code).to.equal(2);
        expect(dev.err).to.equal('pretrain: --device cuda asked for, but CUDA is not available here');
      }
      const csv = await capture(() => pretrainMain(['--train-csv', 'train.csv', '--device', 'cpu']));
      expect(csv.code).to.equal(2);
      expect(csv.err).to.equal('pretrain: --train-csv needs --test-csv and --vocab too');
      const topK = await capture(() => predictMain(['--checkpoint', 'x.pt', '--top-k', '0', 'the [MASK]']));
      expect(topK.code).to.equal(2);
      expect(topK.err).to.equal("predict: Expected an integer >= 1 for --top-k but received '0'");
      const prep = parsePrepareDataArgs(['--corpus', 'x.txt', '--out=o', '--max-len', '32', '--test-fraction', '0.2']);
      expect(prep.config).to.deep.include({ corpus: 'x.txt', out: 'o', maxLen: 32, testFraction: 0.2, seed: 42, vocabSize: 30522 });
      expect(() => parsePrepareDataArgs(['--test-fraction', '1'])).to.throw(RangeError, "Expected a number in [0, 1) for --test-fraction but received '1'");
    });
  });

  describe('settings in code', () => {
    it('resolveConfig fills the defaults written in the schema and checks values and keys', () => {
      const schema = { steps: int('steps', 3, { min: 1 }) };
      expect(resolveConfig(schema, {}, 'thing')).to.deep.equal({ steps: 3 });
      expect(() => resolveConfig(schema, { steps: 0 }, 'thing')).to.throw(RangeError, 'Expected an integer >= 1 for steps but received 0 of type number');
      expect(() => resolveConfig(schema, { steps: '2' as unknown as number }, 'thing')).to.throw(
        TypeError,
        "Expected an integer >= 1 for steps but received '2' of type string",
      );
      expect(() => resolveConfig(schema, { step: 2 } as never, 'thing')).to.throw(TypeError, "Unknown option 'step' for thing; expected one of: steps");
      expect(flagName('saveEveryMinutes')).to.equal('save-every-minutes');
    });

    it('train() refuses a bad setting before training', async () => {
      const model = new BERT(presetConfig('course', 50));
      const data = {
        train: {
          length: 0,
          get: () => {
            throw new Error('not read');
          },
        },
        test: null,
      };
      let err: unknown;
      try {
        await train(model, data, { epochs: 0 }, { progress: false });
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(RangeError);
      expect((err as Error).message).to.equal('Expected an integer >= 1 for epochs but received 0 of type number');
      err = undefined;
      try {
        await train(model, data, { learningRate: 1 } as never, { progress: false });
      } catch (e) {
        err = e;
      }
      expect((err as Error).message).to.match(/^Unknown option 'learningRate' for train; expected one of: preset, epochs, batchSize, lr, /);
    });

    it('every setting round-trips through a checkpoint (snake_case, unset ones as None)', () => {
      const config = resolveConfig(PRETRAIN_SCHEMA, { lr: 5e-4, maxSteps: 100, out: 'runs/x' }, 'test');
      const dict = trainConfigDict(config);
      expect(Object.keys(dict)).to.have.length(Object.keys(PRETRAIN_SCHEMA).length);
      expect(dict).to.deep.include({ lr: 5e-4, max_steps: 100, batch_size: 32, save_every: null, exact_course: false });
      expect(trainConfigFromCheckpoint({ model: {}, train_config: dict })).to.deep.equal(config);
    });
  });
});
