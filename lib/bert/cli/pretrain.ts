/**
 * `npm run pretrain -- [options]`: the course, end to end. Prepares the Brown
 * corpus (cached under data/), trains the course's BERT (CUDA when present),
 * evaluates and checkpoints each epoch under runs/<preset>/, and ends with NSP
 * and MLM predictions on a few sentences.
 *
 *   npm run pretrain
 *   npm run pretrain -- --preset mini --epochs 3 --batch-size 64
 *   npm run pretrain -- --train-csv train.csv --test-csv test.csv --vocab vocab.txt
 *   npm run pretrain -- --resume runs/course/last.pt --epochs 4
 *   npm run pretrain -- --nproc-per-node 2          # DDP through torchrun
 *   npm run pretrain -- --from-pretrained path/to/bert  # continue pretraining a transformers folder
 *   torchrun --nproc_per_node 2 --no_python node --import tsx lib/bert/cli/pretrain.ts --out runs/ddp
 *
 * Ctrl-C (SIGINT) or SIGTERM stops after the current step with a checkpoint
 * (exit 130/143); a second one quits at once. Settings: config/pretrain.ts.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as torch from '../../torch/index.js';
import { type CommandLine, parseCommandLine, usage, UsageError } from '../config/command-line.js';
import { flagName } from '../config/fields.js';
import { PRETRAIN_SCHEMA, type PretrainConfig } from '../config/pretrain.js';
import { DATA_FIELDS } from '../config/prepare.js';
import { BERT, MAX_POSITIONS, PAD_IDX, presetConfig } from '../model.js';
import { type TrainResult, train } from '../train.js';
import { BertForPreTraining, BertTokenizerFast, configFromJson } from '../hf/index.js';
import type { BertTokenizer } from '../tokenizer/index.js';
import { predictMlm, predictNsp } from '../predict.js';
import { loadModelVocabulary, vocabularyHash } from '../vocabulary.js';
import { preparedCorpus } from '../data-cache.js';
import { BERTCSVDataset } from '../dataset.js';
import { readCheckpoint, trainConfigFromCheckpoint, trainStateFromCheckpoint, type PretrainCheckpoint } from '../checkpoint.js';
import { checkNewRunFolder, defaultRunFolder } from '../run/run-folder.js';
import { STOP_SIGNALS, StopRequests } from '../run/stop.js';
import type { TrainEvents } from '../run/events.js';
import { launchWithTorchrun, runRelayed, tsxImport, underTorchrun, underTsxCli } from './launch.js';

export const USAGE = usage('npm run pretrain --', 'Pretrains the course BERT (MLM + NSP) and prints example predictions.', PRETRAIN_SCHEMA);

const EXAMPLES_NSP: [string, string][] = [
  ['The jury said the election was conducted well.', 'It recommended that the city improve its voting laws.'],
  ['The jury said the election was conducted well.', 'She poured the tea and sat down by the window.'],
];
const EXAMPLES_MLM = ['The jury said the [MASK] was conducted well.', 'He went to the [MASK] to buy some bread.', 'It was the first [MASK] of the year.'];

/** A mistake on the command line or in what it names: printed, exit code 2. */
class Refusal extends Error {}

/**
 * The settings of a resumed run: the checkpoint's, with those given on the
 * command line instead; each change is reported.
 * @throws Refusal when a setting that fixes the data or the model changes.
 */
function resumedConfig(cl: PretrainConfig, given: Set<string>, ck: PretrainCheckpoint, path: string, log: (m: string) => void): PretrainConfig {
  const stored = trainConfigFromCheckpoint(ck);
  if (stored === null) {
    log(`resume: ${path} is from an older version and stores no settings; using the command line's`);
    return cl;
  }
  const out: Record<string, unknown> = { ...cl };
  for (const [key, field] of Object.entries(PRETRAIN_SCHEMA)) {
    const mode = field.onResume ?? 'report';
    if (mode === 'local' || !(key in stored)) continue;
    const before = (stored as Record<string, unknown>)[key];
    if (!given.has(key)) {
      out[key] = before;
      continue;
    }
    const now = (cl as Record<string, unknown>)[key];
    if (now === before) continue;
    const flag = `--${flagName(key)}`;
    if (mode === 'fixed') {
      throw new Refusal(`${flag} ${String(now)} differs from the run's ${String(before)}; a resumed run keeps its ${flag} (start a new run for another one)`);
    }
    log(`resume: ${flag} changed from ${String(before)} to ${String(now)}`);
  }
  return out as PretrainConfig;
}

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let cl: CommandLine<PretrainConfig>;
  try {
    cl = parseCommandLine(argv, PRETRAIN_SCHEMA);
  } catch (e) {
    console.error(`pretrain: ${(e as Error).message}`);
    return 2;
  }
  if (cl.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const given = cl.given as Set<string>;
  let config = cl.config;

  // ---- under tsx's CLI, which would SIGKILL a trainer busy in a step: run again under plain node, relaying signals
  if (underTsxCli()) return runRelayed(process.execPath, [...tsxImport(), fileURLToPath(import.meta.url), ...argv]);

  // ---- several processes: hand the same command to torchrun (with the run folder chosen here, so all ranks share it)
  if (config.nprocPerNode !== undefined && !underTorchrun()) {
    const args = stripOption(argv, 'nproc-per-node');
    if (!given.has('out') && config.resume === undefined) args.push('--out', defaultRunFolder(runName(config)));
    try {
      return await launchWithTorchrun(fileURLToPath(import.meta.url), args, config.nprocPerNode);
    } catch (e) {
      console.error(`pretrain: ${(e as Error).message}`);
      return 2;
    }
  }

  const dist = torch.distributed;
  const worldSize = Number(process.env.WORLD_SIZE ?? 1);
  const restarts = Number(process.env.TORCHELASTIC_RESTART_COUNT ?? 0);
  const rank0 = Number(process.env.RANK ?? 0) === 0;
  const log = (m: string): void => {
    if (rank0) console.log(m);
  };
  try {
    if (Number(process.env.TORCHELASTIC_MAX_RESTARTS ?? 0) > 0 && !given.has('out')) {
      throw new Refusal('torchrun --max_restarts restarts the processes, which must find their checkpoints: give --out');
    }
    if (worldSize > 1) await dist.initProcessGroup({ backend: torch.cuda.isAvailable() ? 'nccl' : 'gloo' });
    const localWorld = Number(process.env.LOCAL_WORLD_SIZE ?? 1);
    torch.setNumThreads(config.threads ?? Math.max(1, Math.floor(availableParallelism() / localWorld)));
    const device = config.device ?? (torch.cuda.isAvailable() ? (worldSize > 1 ? `cuda:${dist.localRank()}` : 'cuda') : 'cpu');
    torch.device(device);
    if (device.startsWith('cuda') && !torch.cuda.isAvailable()) throw new Refusal(`--device ${device} asked for, but CUDA is not available here`);
    config = { ...config, device };

    // ---- a new run, a resumed one, or one restarted by torchrun
    let out = config.out;
    let resumePath = config.resume;
    if (resumePath === undefined && restarts > 0 && out !== undefined && existsSync(join(out, 'last.pt'))) {
      resumePath = join(out, 'last.pt');
      log(`restart ${restarts}: resuming from ${resumePath}`);
    }
    let resume: { checkpoint: PretrainCheckpoint; path: string } | undefined;
    if (resumePath !== undefined) {
      if (!existsSync(resumePath)) throw new Refusal(`--resume ${resumePath}: no such file`);
      const checkpoint = readCheckpoint(resumePath);
      config = resumedConfig(config, given, checkpoint, resumePath, log);
      resume = { checkpoint, path: resumePath };
      const st = trainStateFromCheckpoint(checkpoint);
      if (st.globalStep >= (config.maxSteps ?? Infinity) || (st.epochComplete && st.epoch >= config.epochs)) {
        throw new Refusal(
          `${resumePath} is at step ${st.globalStep}, ${st.epochComplete ? `after epoch ${st.epoch}` : `in epoch ${st.epoch}`}: ` +
            `nothing left to train with --epochs ${config.epochs}${config.maxSteps !== undefined ? ` and --max-steps ${config.maxSteps}` : ''}; raise them`,
        );
      }
      const home = dirname(resumePath);
      if (out === undefined) out = home;
      else if (resolve(out) !== resolve(home) && restarts === 0) refuseRunFolder(out);
    } else if (out === undefined) {
      out = defaultRunFolder(runName(config));
    } else if (restarts === 0) {
      refuseRunFolder(out);
    }
    config = { ...config, out };

    // ---- a transformers folder to continue: its tokenizer prepares the corpus
    const hfDir = config.fromPretrained;
    let hfTokenizer: BertTokenizerFast | undefined;
    if (hfDir !== undefined) {
      if (config.trainCsv !== undefined || config.testCsv !== undefined || config.vocab !== undefined) {
        throw new Refusal("--from-pretrained prepares the corpus with the folder's own tokenizer; it does not take --train-csv, --test-csv or --vocab");
      }
      try {
        hfTokenizer = BertTokenizerFast.fromPretrained(hfDir);
      } catch (e) {
        throw new Refusal(`--from-pretrained ${hfDir}: ${(e as Error).message}`);
      }
      if (hfTokenizer.padTokenId !== PAD_IDX) {
        throw new Refusal(`--from-pretrained ${hfDir}: its [PAD] token is id ${hfTokenizer.padTokenId}; the course's batches pad with id ${PAD_IDX}`);
      }
    }

    // ---- data: the course's CSVs, or a prepared corpus (rank 0 prepares it; the others wait)
    let files: { train: string; test: string; vocab: string };
    if (config.trainCsv !== undefined || config.testCsv !== undefined) {
      if (config.trainCsv === undefined || config.testCsv === undefined || config.vocab === undefined)
        throw new Refusal('--train-csv needs --test-csv and --vocab too');
      files = { train: config.trainCsv, test: config.testCsv, vocab: config.vocab };
    } else {
      const settings = { ...defaultsOf(DATA_FIELDS), maxLen: config.maxLen, vocabSize: config.vocabSize, seed: config.seed };
      const given = hfTokenizer !== undefined ? { tokenizer: hfTokenizer.tokenizer } : {};
      if (rank0) preparedCorpus(config.data, config.corpus, settings, given);
      if (worldSize > 1) dist.barrier();
      files = preparedCorpus(config.data, config.corpus, settings, { prepare: false, log: () => undefined, ...given });
    }
    let tokenizer: BertTokenizer;
    if (hfTokenizer !== undefined) {
      tokenizer = hfTokenizer.tokenizer;
    } else {
      try {
        tokenizer = loadModelVocabulary(files.vocab);
      } catch (e) {
        throw new Refusal((e as Error).message);
      }
    }
    if (resume !== undefined) {
      const want = resume.checkpoint.vocab_sha256;
      if (typeof want === 'string' && vocabularyHash(tokenizer.vocab) !== want) {
        throw new Refusal(`${files.vocab} is not the vocabulary ${resume.path} was trained with (its sha256 differs); resume with the run's own data`);
      }
    }
    const vocabSize = tokenizer.vocabSize;
    torch.manualSeed(config.seed);
    const model = hfDir !== undefined ? hfModel(hfDir, resume?.checkpoint, vocabSize, config.maxLen) : new BERT(presetConfig(config.preset, vocabSize));
    const maxLength = model instanceof BERT ? MAX_POSITIONS : model.config.maxPositionEmbeddings;
    const trainSet = new BERTCSVDataset(files.train, { vocabSize, maxLength });
    const testSet = new BERTCSVDataset(files.test, { vocabSize, maxLength });
    const nParams = model.parameters().reduce((n, p) => n + p.numel(), 0);
    log(
      `pretrain: ${model instanceof BERT ? `preset ${config.preset}` : `${hfDir} (BertForPreTraining)`} (${nParams.toLocaleString('en-US')} parameters), vocabulary ${vocabSize}, ` +
        `${trainSet.length} training / ${testSet.length} test pairs, batch ${config.batchSize}${worldSize > 1 ? ` x ${worldSize} processes` : ''}, device ${device}, ` +
        `${torch.getNumThreads()} threads, ${config.exactCourse ? 'exact course path' : 'fast path (MLM logits at masked positions only)'}; run folder ${out}`,
    );

    const stop = new StopRequests(rank0 ? undefined : () => undefined).install();
    let result: TrainResult;
    try {
      const events =
        hfTokenizer !== undefined && model instanceof BertForPreTraining && rank0 ? [hfFolderWriter(model, hfTokenizer, join(out, 'hf'), log)] : [];
      result = await train(model, { train: trainSet, test: testSet }, config, { outDir: out, vocab: tokenizer.vocab, resume, stop, events });
    } finally {
      stop.uninstall();
    }
    if (result.stoppedBy !== null) {
      log(`stopped by ${result.stoppedBy} at step ${result.globalStep}; wrote ${result.written.join(', ') || '(nothing)'}`);
      log(`continue with: npm run pretrain -- --resume ${join(out, 'last.pt')}`);
      if (worldSize > 1) await dist.destroyProcessGroup();
      return STOP_SIGNALS[result.stoppedBy];
    }
    const first = result.steps.slice(0, 20);
    const last = result.steps.slice(-20);
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
    if (result.steps.length > 0) {
      log(
        `training MLM loss: first ${first.length} steps ${mean(first.map((s) => s.mlmLoss)).toFixed(3)} -> last ${last.length} steps ${mean(last.map((s) => s.mlmLoss)).toFixed(3)}; ` +
          `NSP loss ${mean(first.map((s) => s.nspLoss)).toFixed(3)} -> ${mean(last.map((s) => s.nspLoss)).toFixed(3)}`,
      );
    }
    log(`wrote ${result.written.join(', ') || '(nothing)'}`);
    if (rank0 && model instanceof BERT) {
      console.log('\nNext-sentence predictions:');
      for (const [s1, s2] of EXAMPLES_NSP) {
        const p = predictNsp(s1, s2, model, tokenizer);
        console.log(`  "${s1}" / "${s2}"\n    -> ${p.label} (p = ${p.probability.toFixed(3)})`);
      }
      console.log('Masked-token predictions:');
      for (const s of EXAMPLES_MLM) {
        const p = predictMlm(s, model, tokenizer, { topK: 5 });
        console.log(`  "${s}"\n    -> "${p.sentence}"  top 5: ${p.candidates[0].tokens.map((t) => `${t.token} (${t.probability.toFixed(3)})`).join(', ')}`);
      }
    }
    if (worldSize > 1) await dist.destroyProcessGroup();
    return 0;
  } catch (e) {
    if (e instanceof Refusal || e instanceof UsageError) {
      console.error(`pretrain: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** The default run folder's name: the preset, or `hf-<folder>` for --from-pretrained. */
function runName(config: PretrainConfig): string {
  return config.fromPretrained !== undefined ? `hf-${basename(resolve(config.fromPretrained))}` : config.preset;
}

/**
 * The BertForPreTraining of --from-pretrained: the folder's, or (resuming) one
 * of the checkpoint's config whose weights the resume loads.
 * @throws Refusal when the folder cannot be read, or --max-len or the vocabulary does not fit the model.
 */
function hfModel(dir: string, checkpoint: PretrainCheckpoint | undefined, vocabSize: number, maxLen: number): BertForPreTraining {
  let model: BertForPreTraining;
  try {
    model =
      checkpoint !== undefined
        ? new BertForPreTraining(configFromJson(checkpoint.config as Record<string, unknown>, ' in the checkpoint'))
        : BertForPreTraining.fromPretrained(dir, { warn: false });
  } catch (e) {
    throw new Refusal(`--from-pretrained ${dir}: ${(e as Error).message}`);
  }
  if (model.config.vocabSize < vocabSize) {
    throw new Refusal(`--from-pretrained ${dir}: the tokenizer has ${vocabSize} tokens but the model's vocab_size is ${model.config.vocabSize}`);
  }
  if (maxLen > model.config.maxPositionEmbeddings) {
    throw new Refusal(`--max-len ${maxLen} exceeds the model's max_position_embeddings (${model.config.maxPositionEmbeddings})`);
  }
  return model;
}

/** Writes the model and tokenizer as a transformers folder at every epoch end, the final step and an interrupt. */
function hfFolderWriter(model: BertForPreTraining, tokenizer: BertTokenizerFast, dir: string, log: (m: string) => void): TrainEvents {
  return {
    checkpoint(info) {
      if (info.reason === 'interval') return;
      model.savePretrained(dir);
      tokenizer.savePretrained(dir);
      log(`saved the transformers folder ${dir} (step ${info.step})`);
    },
  };
}

/** @throws Refusal when `dir` holds a run. */
function refuseRunFolder(dir: string): void {
  try {
    checkNewRunFolder(dir);
  } catch (e) {
    throw new Refusal((e as Error).message);
  }
}

/** The defaults of a table of fields. */
function defaultsOf<T extends Record<string, { default: unknown }>>(fields: T): { [K in keyof T]: T[K]['default'] } {
  return Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.default])) as { [K in keyof T]: T[K]['default'] };
}

/** argv without `--name value` / `--name=value`. */
function stripOption(argv: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) i++;
    else if (!argv[i].startsWith(`--${name}=`)) out.push(argv[i]);
  }
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`pretrain: ${(e as Error).stack ?? String(e)}`);
      process.exit(1);
    },
  );
}
