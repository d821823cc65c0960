/**
 * The course's training loop: Adam (PyTorch's betas, L2 weight decay),
 * cross entropy for NSP and for MLM (ignoring [PAD]), gradient clipping, an
 * evaluation and a checkpoint after every epoch. Every step runs in a memory
 * scope, so the live-tensor count stays flat.
 *
 * What the loop does not do itself, it reports (see {@link TrainEvents}): the
 * console progress and the run folder (metrics.jsonl, checkpoints, loss.png)
 * listen, on rank 0 only under DDP. The loop yields to the event loop after
 * every step, so signals and timers are served; a stop request (Ctrl-C,
 * SIGTERM) ends the run after the current step with a checkpoint.
 *
 * A run is a function of its settings: the data order of epoch `e` comes
 * from `seed + e` and dropout is reseeded before every step from the position
 * in the run, so a run resumed from any checkpoint (mid-epoch too) takes the
 * very steps the uninterrupted run takes.
 */
import { dirname, join } from 'node:path';
import * as torch from '../torch/index.js';
import type { MapDataset } from '../torch/utils/data/index.js';
import { BERT } from './model.js';
import { type BertForPreTraining, HfPretrainingLoss, evaluateHf, configToJson } from './hf/index.js';
import { collateBatch, type BertBatch } from './collate.js';
import type { BertSample, RawBertSample } from './dataset.js';
import { evaluate, type EvalResult } from './evaluate.js';
import { PretrainingLoss } from './pretraining-loss.js';
import { resolveConfig } from './config/fields.js';
import { PRETRAIN_SCHEMA, type PretrainConfig } from './config/pretrain.js';
import {
  modelConfigDict,
  trainConfigDict,
  trainConfigFromCheckpoint,
  trainStateDict,
  trainStateFromCheckpoint,
  type PretrainCheckpoint,
  type TrainState,
} from './checkpoint.js';
import { EpochSampler } from './run/sampler.js';
import { RunWriter } from './run/run-writer.js';
import { consoleProgress } from './run/console-progress.js';
import type { CheckpointReason, TrainEvents } from './run/events.js';
import type { EvalMetrics, StepMetrics } from './run/metrics-log.js';
import type { StopSignal } from './run/stop.js';

type Sample = BertSample | RawBertSample;

/**
 * What train() trains: the course's BERT, or a Hugging Face BertForPreTraining
 * (`npm run pretrain -- --from-pretrained DIR`) on the same batches and losses.
 */
export type PretrainableModel = BERT | BertForPreTraining;

/** The data of a run: pairs to train on and pairs to evaluate on after each epoch (null: no evaluation). */
export interface TrainData {
  train: MapDataset<Sample>;
  test: MapDataset<Sample> | null;
}

/** How a run reports and where it writes; none of it changes what is trained. */
export interface TrainHooks {
  /** Progress bar and a line per epoch and evaluation on the console (default true). */
  progress?: boolean;
  /** The run folder for checkpoints, metrics.jsonl and loss.png (default: nothing written). */
  outDir?: string;
  /** The vocabulary, stored in every checkpoint (default: none stored). */
  vocab?: readonly string[];
  /** Continue from this checkpoint (see `readCheckpoint`), and the file it came from. */
  resume?: { checkpoint: PretrainCheckpoint; path: string };
  /**
   * Read after every step: a signal there stops the run after a checkpoint.
   * `release()`, when given, is awaited before that checkpoint (StopRequests
   * then lets a second signal end the process at once).
   */
  stop?: { readonly signal: StopSignal | null; release?(): Promise<void> };
  /** More listeners (called on every rank). */
  events?: TrainEvents[];
}

/** What train() returns. */
export interface TrainResult {
  /** Steps taken by this call (a resumed run's earlier steps are in its metrics.jsonl). */
  steps: StepMetrics[];
  evals: EvalMetrics[];
  skippedBatches: number;
  globalStep: number;
  bestEvalLoss: number;
  /** Files written, in order. */
  written: string[];
  /** The signal that stopped the run, or null when it ran to its end. */
  stoppedBy: StopSignal | null;
}

/** The learning rate's factor at a step: linear warmup then linear decay to 0 at `total`, or constant without warmup. */
export function lrFactor(warmupSteps: number, totalSteps: number): (step: number) => number {
  if (warmupSteps === 0) return () => 1;
  return (step) => (step < warmupSteps ? step / warmupSteps : Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps)));
}

/** Seed of one step's dropout: a mix of the run's seed, the position in the run and the process. */
export function stepSeed(seed: number, epoch: number, sample: number, rank: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b);
  for (const v of [epoch, sample, rank]) {
    h = Math.imul(h ^ v, 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
    h = Math.imul(h, 0x1b873593);
  }
  return (h ^ (h >>> 16)) >>> 0;
}

/** Lets timers and signal handlers run (one turn of the event loop). */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Trains `model` with `config` (defaults: see PRETRAIN_SCHEMA). Under an
 * initialized process group of more than one rank it trains data-parallel:
 * DistributedDataParallel, each rank its share of every epoch, rank 0 alone
 * evaluating and writing.
 *
 * @throws TypeError/RangeError for a bad setting; Error when `hooks.resume`
 *   holds a checkpoint of another model shape, or one saved mid-epoch by
 *   another number of processes.
 */
export async function train(model: PretrainableModel, data: TrainData, settings: Partial<PretrainConfig> = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  const config = resolveConfig(PRETRAIN_SCHEMA, settings, 'train');
  const dist = torch.distributed;
  const worldSize = dist.isInitialized() ? dist.getWorldSize() : 1;
  const rank = dist.isInitialized() ? dist.getRank() : 0;
  const device = config.device ?? (torch.cuda.isAvailable() ? (worldSize > 1 ? `cuda:${dist.localRank()}` : 'cuda') : 'cpu');
  const isCuda = device.startsWith('cuda');
  model.to(device);

  // ---- the step's module, the optimizer and the schedule
  const lossModule =
    model instanceof BERT
      ? new PretrainingLoss(model, config.exactCourse, isCuda && !config.exactCourse)
      : new HfPretrainingLoss(model, { exactCourse: config.exactCourse, mixedPrecision: isCuda && !config.exactCourse });
  if (worldSize > 1 && model instanceof BERT) {
    // The course registers `encoder_layer` beside the encoder's copies of it: its parameters take no part in
    // forward and never get a gradient. DDP waits for a gradient of every parameter that requires one, so
    // they are frozen here (which changes nothing else: Adam skips parameters without a gradient).
    for (const p of model.encoder_layer.parameters()) p.requiresGrad_(false);
  }
  // The only buffer (the positional table) is a constant: no broadcast before each forward.
  const ddp = worldSize > 1 ? new torch.nn.parallel.DistributedDataParallel(lossModule, { broadcastBuffers: false }) : null;
  const params = model.parameters();
  const optimizer = new torch.optim.Adam(params, { lr: config.lr, weightDecay: config.weightDecay });
  const sampler = new EpochSampler(data.train, config.seed, worldSize, rank);
  const batchesPerEpoch = Math.ceil(sampler.epochLength / config.batchSize);
  const totalSteps = Math.min(config.maxSteps ?? Infinity, batchesPerEpoch * config.epochs);
  const factor = lrFactor(config.warmupSteps, totalSteps);
  const scheduler = new torch.optim.LambdaLR(optimizer, factor);

  // ---- who listens: rank 0's console and run folder, and the caller's
  const writer =
    rank === 0 && hooks.outDir !== undefined
      ? new RunWriter(
          hooks.outDir,
          hooks.vocab ?? null,
          hooks.resume !== undefined
            ? { metrics: join(dirname(hooks.resume.path), 'metrics.jsonl'), step: trainStateFromCheckpoint(hooks.resume.checkpoint).globalStep }
            : undefined,
          (hooks.progress ?? true) ? (m) => console.log(m) : () => undefined,
        )
      : null;
  const events: TrainEvents[] = [
    ...(rank === 0 && (hooks.progress ?? true) ? [consoleProgress()] : []),
    ...(writer !== null ? [writer] : []),
    ...(hooks.events ?? []),
  ];
  const emit = <K extends keyof TrainEvents>(name: K, ...args: Parameters<NonNullable<TrainEvents[K]>>): void => {
    for (const e of events) (e[name] as ((...a: typeof args) => void) | undefined)?.call(e, ...args);
  };

  // ---- where the run stands
  let state: TrainState = { epoch: 1, samplesInEpoch: 0, epochComplete: false, globalStep: 0, skippedBatches: 0, bestEvalLoss: Infinity, worldSize };
  if (hooks.resume !== undefined) {
    state = restore(hooks.resume.checkpoint, model, optimizer, scheduler, config, factor, worldSize);
    emit('resumed', { epoch: state.epoch, samplesInEpoch: state.samplesInEpoch, step: state.globalStep, epochComplete: state.epochComplete });
  }
  const result: TrainResult = {
    steps: [],
    evals: [],
    skippedBatches: state.skippedBatches,
    globalStep: state.globalStep,
    bestEvalLoss: state.bestEvalLoss,
    written: [],
    stoppedBy: null,
  };
  let lastSave = performance.now();
  let lastEval: EvalResult | null = null;
  /** The evaluation loss of the checkpoint being written (NaN for one without an evaluation of its own). */
  let checkpointEvalLoss = NaN;

  const snapshot = (): Record<string, unknown> => ({
    model: model.stateDict(),
    optimizer: optimizer.stateDict(),
    scheduler: scheduler.stateDict(),
    epoch: state.epoch,
    step: state.globalStep,
    ...(model instanceof BERT ? { config: modelConfigDict(model.config) } : { format: 'hf-bert', config: configToJson(model.config, 'BertForPreTraining') }),
    train_config: trainConfigDict(config),
    train_state: trainStateDict({ ...state, bestEvalLoss: result.bestEvalLoss, skippedBatches: result.skippedBatches }),
    eval_loss: checkpointEvalLoss,
    best_eval_loss: result.bestEvalLoss,
  });
  const checkpoint = (reason: CheckpointReason): void => {
    const evalLoss = reason === 'epoch' || reason === 'final' ? (lastEval?.loss ?? NaN) : NaN;
    const isBest = Number.isFinite(evalLoss) && evalLoss <= result.bestEvalLoss;
    checkpointEvalLoss = evalLoss;
    emit('checkpoint', { reason, epoch: state.epoch, step: state.globalStep, evalLoss, isBest }, snapshot);
    lastSave = performance.now();
  };
  const runEval = async (): Promise<void> => {
    if (data.test === null) return;
    if (rank === 0) {
      const loader = new torch.utils.data.DataLoader<Sample, BertBatch>(data.test, { batchSize: config.batchSize, collateFn: collateBatch });
      lastEval =
        model instanceof BERT
          ? await evaluate(loader, model, undefined, device, { exactCourse: config.exactCourse, quiet: true })
          : await evaluateHf(loader, model, { exactCourse: config.exactCourse });
      const rec: EvalMetrics = { type: 'eval', epoch: state.epoch, step: state.globalStep, ...lastEval };
      result.evals.push(rec);
      if (Number.isFinite(lastEval.loss) && lastEval.loss < result.bestEvalLoss) result.bestEvalLoss = lastEval.loss;
      emit('eval', rec);
    }
    if (ddp !== null) dist.barrier();
  };

  // ---- the epochs
  // One turn of the event loop before the first step: a signal that is pending when the loop first
  // turns is served only at its second turn (seen with Node 20), so a Ctrl-C during the first step
  // would otherwise wait for the end of the second one.
  await yieldToEventLoop();
  try {
    for (let epoch = state.epochComplete ? state.epoch + 1 : state.epoch; epoch <= config.epochs && result.globalStep < totalSteps; epoch++) {
      if (epoch !== state.epoch) state = { ...state, epoch, samplesInEpoch: 0, epochComplete: false };
      sampler.setEpoch(epoch, state.samplesInEpoch);
      const startBatch = Math.ceil(state.samplesInEpoch / config.batchSize);
      emit('epochStart', epoch, { epochs: config.epochs, batches: batchesPerEpoch, startBatch });
      model.train();
      const loader = new torch.utils.data.DataLoader<Sample, BertBatch>(data.train, {
        batchSize: config.batchSize,
        sampler,
        collateFn: collateBatch,
        numWorkers: config.numWorkers,
      });
      const t0 = performance.now();
      let tokens = 0;
      let batch = startBatch;
      let skippedHere = 0;
      let stop: StopSignal | null = null;
      for await (const tensors of loader) {
        if (result.globalStep >= totalSteps) {
          torch.dispose(tensors);
          break;
        }
        torch.manualSeed(stepSeed(config.seed, epoch, state.samplesInEpoch, rank));
        const r = torch.tidy(() => {
          const [x, labels, seg, isNext] = tensors.map((t) => t.to(device));
          optimizer.zeroGrad();
          const [nspLoss, mlmLoss] = ddp !== null ? ddp.forward(x, labels, seg, isNext) : lossModule.forward(x, labels, seg, isNext);
          const loss = nspLoss.add(mlmLoss);
          const value = loss.item();
          // Under DDP every rank skips the batch when one rank's loss is not finite (a NaN would reach all through the all-reduce).
          if (!(ddp !== null ? agreeFinite(Number.isFinite(value)) : Number.isFinite(value))) return null;
          loss.backward();
          torch.nn.utils.clipGradNorm_(params, config.maxGradNorm);
          optimizer.step();
          return { loss: value, nspLoss: nspLoss.item(), mlmLoss: mlmLoss.item(), tokens: x.numel() };
        });
        state.samplesInEpoch += tensors[3].size(0);
        torch.dispose(tensors);
        batch++;
        const lastOfEpoch = state.samplesInEpoch >= sampler.epochLength;
        const lr = optimizer.paramGroups[0].lr; // the lr of this step
        if (r === null) {
          result.skippedBatches++;
          skippedHere++;
          emit('skipped', epoch, batch);
        } else {
          scheduler.step();
          result.globalStep++;
          state.globalStep = result.globalStep;
          tokens += r.tokens;
        }
        // Signals and timers run here; under DDP the ranks then agree on stopping (and sum their tokens).
        await yieldToEventLoop();
        const agreed = ddp !== null ? agree(hooks.stop?.signal ?? null, tokens) : { stop: null, tokens };
        const elapsed = (performance.now() - t0) / 1000;
        if (r !== null) {
          const rec: StepMetrics = {
            type: 'step',
            epoch,
            step: result.globalStep,
            loss: r.loss,
            nspLoss: r.nspLoss,
            mlmLoss: r.mlmLoss,
            lr,
            tokensPerSec: agreed.tokens / elapsed,
          };
          result.steps.push(rec);
          emit('step', rec, { batch, batches: batchesPerEpoch, epochs: config.epochs, elapsedSec: elapsed });
        }
        // One process reads its own requests after the step's listeners (a listener may ask to stop); ranks go by their agreement.
        stop = ddp !== null ? agreed.stop : (hooks.stop?.signal ?? null);
        if (lastOfEpoch) continue; // the epoch's end checkpoints (and stops, if asked)
        if (stop !== null || result.globalStep >= totalSteps) break;
        const dueBySteps = r !== null && config.saveEvery !== undefined && result.globalStep % config.saveEvery === 0;
        const dueByTime = performance.now() - lastSave >= config.saveEveryMinutes * 60_000;
        if (dueBySteps || dueByTime) checkpoint('interval');
      }
      const seconds = (performance.now() - t0) / 1000;
      emit('epochEnd', {
        epoch,
        batches: batch - startBatch,
        seconds,
        tokensPerSec: (ddp !== null ? agree(null, tokens).tokens : tokens) / seconds,
        skippedBatches: skippedHere,
      });
      const complete = state.samplesInEpoch >= sampler.epochLength;
      if (!complete && result.globalStep < totalSteps) {
        // Stopped by a signal in the middle of the epoch.
        result.stoppedBy = stop;
        await hooks.stop?.release?.();
        checkpoint('interrupt');
        if (ddp !== null) dist.barrier();
        return result;
      }
      await runEval();
      state.epochComplete = complete;
      checkpoint(complete ? 'epoch' : 'final');
      // A signal in the last step or during the evaluation: the checkpoint is written, stop here.
      const late = ddp !== null ? agree(hooks.stop?.signal ?? null, 0).stop : (hooks.stop?.signal ?? null);
      if ((stop ?? late) !== null) {
        result.stoppedBy = stop ?? late;
        return result;
      }
    }
    return result;
  } finally {
    result.written = writer?.written ?? [];
    emit('end');
    ddp?.release();
  }
}

/** Whether every rank's loss is finite (one all-reduce). */
function agreeFinite(finite: boolean): boolean {
  const t = torch.tensor([finite ? 0 : 1], { dtype: 'float64' });
  torch.distributed.allReduce(t);
  return t.item() === 0;
}

/** The ranks' stop requests and token counts, combined (one all-reduce): SIGTERM wins over SIGINT. */
function agree(signal: StopSignal | null, tokens: number): { stop: StopSignal | null; tokens: number } {
  const t = torch.tensor([signal === 'SIGINT' ? 1 : 0, signal === 'SIGTERM' ? 1 : 0, tokens], { dtype: 'float64' });
  try {
    torch.distributed.allReduce(t);
    const [int, term, sum] = t.tolist() as number[];
    return { stop: term > 0 ? 'SIGTERM' : int > 0 ? 'SIGINT' : null, tokens: sum };
  } finally {
    t.dispose();
  }
}

/**
 * Restores model, optimizer, schedule and position from a checkpoint; the
 * settings of `config` win over the stored ones (the caller has reported the
 * differences), so a new lr or schedule applies from the next step.
 */
function restore(
  ck: PretrainCheckpoint,
  model: PretrainableModel,
  optimizer: torch.optim.Adam,
  scheduler: torch.optim.LambdaLR,
  config: PretrainConfig,
  factor: (step: number) => number,
  worldSize: number,
): TrainState {
  const state = trainStateFromCheckpoint(ck);
  if (!state.epochComplete && state.samplesInEpoch > 0 && state.worldSize !== worldSize) {
    throw new Error(
      `The checkpoint was saved in the middle of epoch ${state.epoch} by ${state.worldSize} process(es); ` +
        `resume it with ${state.worldSize} (--nproc-per-node ${state.worldSize}), or resume an epoch-end checkpoint (epoch-N.pt) with any number`,
    );
  }
  model.loadStateDict(ck.model);
  if (ck.optimizer !== undefined && ck.optimizer !== null) optimizer.loadStateDict(ck.optimizer as Parameters<typeof optimizer.loadStateDict>[0]);
  if (ck.scheduler !== undefined && ck.scheduler !== null) {
    scheduler.loadStateDict(ck.scheduler as Parameters<typeof scheduler.loadStateDict>[0]);
  } else {
    // An older checkpoint without a schedule: it continues at its step.
    scheduler.lastEpoch = state.globalStep;
  }
  // The settings of this run apply from the next step (unchanged ones give the stored values again).
  const stored = trainConfigFromCheckpoint(ck);
  const changed =
    stored === null ||
    stored.lr !== config.lr ||
    stored.warmupSteps !== config.warmupSteps ||
    stored.epochs !== config.epochs ||
    stored.maxSteps !== config.maxSteps;
  for (const g of optimizer.paramGroups) {
    g.weightDecay = config.weightDecay;
    if (changed) {
      g.initialLr = config.lr;
      g.lr = config.lr * factor(scheduler.lastEpoch);
    }
  }
  if (changed) scheduler.baseLrs = optimizer.paramGroups.map(() => config.lr);
  torch.dispose(ck.model);
  return { ...state, worldSize };
}
