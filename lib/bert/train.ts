/**
 * The course's training loop: Adam (lr 1e-4, betas 0.9/0.999, weight decay
 * 0.01), cross entropy for NSP and for MLM (ignoring [PAD]), gradient
 * clipping at 1.0, evaluation and a checkpoint after every epoch. Every step
 * runs in a memory scope, so the live-tensor count stays flat.
 */
import { mkdirSync, appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import { BERT, PAD_IDX, type BERTConfig } from './model.js';
import { evaluate, type EvalResult } from './evaluate.js';
import { batches, batchCount, type BatchSource } from './batch.js';
import { ProgressBar } from './progress.js';
import { writeLossCurvePng } from './plot.js';

/** Options of train(); defaults are the course's. */
export interface TrainOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 1e-4. */
  lr?: number;
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 0.01 (Adam's L2 penalty, as the course). */
  weightDecay?: number;
  /** Gradient norm clip (default 1.0). */
  maxGradNorm?: number;
  /** Linear warmup steps, then linear decay to 0 over the run (default 0: constant lr). */
  warmupSteps?: number;
  /** Stop after this many optimizer steps in total (default: no limit). */
  maxSteps?: number;
  /** Default 'cpu'. */
  device?: torch.DeviceLike;
  /** The course's full-vocabulary MLM projection (default false: only masked positions). */
  exactCourse?: boolean;
  /** bf16 autocast on CUDA (default: true on CUDA unless exactCourse). */
  mixedPrecision?: boolean;
  /** Checkpoints, metrics.jsonl and loss.png go here (default: none written). */
  outDir?: string;
  /** Stored in checkpoints so predictions can find the tokenizer. */
  vocabPath?: string;
  /** Base seed: epoch e runs with torch.manualSeed(seed + e) (default 0). */
  seed?: number;
  /** Called before each epoch (e.g. to reseed a DataLoader's generator). */
  onEpochStart?: (epoch: number) => void;
  /** Resume from a checkpoint written by train(). */
  resume?: string;
  /** Progress output (default true). */
  progress?: boolean;
  /** Extra fields stored in checkpoints (e.g. CLI arguments). */
  meta?: Record<string, string | number | boolean | null>;
}

/** One optimizer step's numbers. */
export interface StepRecord {
  epoch: number;
  step: number;
  loss: number;
  nspLoss: number;
  mlmLoss: number;
  lr: number;
}

/** What train() returns. */
export interface TrainResult {
  steps: StepRecord[];
  evals: (EvalResult & { epoch: number; step: number })[];
  skippedBatches: number;
  globalStep: number;
  checkpoints: string[];
  bestEvalLoss: number;
}

/** The checkpoint's config block, in Python's names. */
function configDict(c: BERTConfig): Record<string, number> {
  return { vocab_size: c.vocabSize, d_model: c.dModel, n_layers: c.nLayers, heads: c.heads, dropout: c.dropout, dim_feedforward: c.dimFeedforward };
}

/**
 * Trains `model` on `trainLoader`, evaluating on `testLoader` after each epoch.
 * @throws Error when `resume` names a checkpoint of another model shape.
 */
export async function train(model: BERT, trainLoader: BatchSource, testLoader: BatchSource | null, opts: TrainOptions = {}): Promise<TrainResult> {
  const epochs = opts.epochs ?? 1;
  const device = opts.device ?? 'cpu';
  const isCuda = String(device).startsWith('cuda');
  const exact = opts.exactCourse ?? false;
  const amp = (opts.mixedPrecision ?? (isCuda && !exact)) && isCuda;
  const seed = opts.seed ?? 0;
  const maxGradNorm = opts.maxGradNorm ?? 1.0;
  model.to(device);
  const params = model.parameters();
  const optimizer = new torch.optim.Adam(params, {
    lr: opts.lr ?? 1e-4,
    betas: opts.betas ?? [0.9, 0.999],
    weightDecay: opts.weightDecay ?? 0.01,
  });
  const perEpoch = batchCount(trainLoader);
  const totalSteps = Math.min(opts.maxSteps ?? Infinity, perEpoch !== undefined ? perEpoch * epochs : Infinity);
  const scheduler =
    opts.warmupSteps !== undefined && opts.warmupSteps > 0 && Number.isFinite(totalSteps)
      ? torch.optim.getLinearScheduleWithWarmup(optimizer, opts.warmupSteps, totalSteps)
      : null;
  const result: TrainResult = { steps: [], evals: [], skippedBatches: 0, globalStep: 0, checkpoints: [], bestEvalLoss: Infinity };
  let startEpoch = 1;
  if (opts.resume !== undefined) {
    const ck = torch.load(opts.resume) as Record<string, unknown>;
    model.loadStateDict(ck.model as Record<string, Tensor>);
    optimizer.loadStateDict(ck.optimizer as Parameters<typeof optimizer.loadStateDict>[0]);
    if (scheduler !== null && ck.scheduler) scheduler.loadStateDict(ck.scheduler as Parameters<typeof scheduler.loadStateDict>[0]);
    startEpoch = Number(ck.epoch) + 1;
    result.globalStep = Number(ck.step);
    result.bestEvalLoss = Number(ck.best_eval_loss ?? Infinity);
    torch.dispose(ck);
    console.log(`resumed from ${opts.resume} after epoch ${startEpoch - 1} (step ${result.globalStep})`);
  }
  if (opts.outDir !== undefined) mkdirSync(opts.outDir, { recursive: true });
  const metricsPath = opts.outDir !== undefined ? join(opts.outDir, 'metrics.jsonl') : undefined;
  const log = (rec: object) => {
    if (metricsPath !== undefined) appendFileSync(metricsPath, JSON.stringify(rec) + '\n');
  };
  const bar = new ProgressBar();
  const nspFn = new torch.nn.CrossEntropyLoss();
  const mlmFn = new torch.nn.CrossEntropyLoss({ ignoreIndex: PAD_IDX });

  for (let epoch = startEpoch; epoch <= epochs && result.globalStep < totalSteps; epoch++) {
    torch.manualSeed(seed + epoch);
    opts.onEpochStart?.(epoch);
    model.train();
    const t0 = performance.now();
    let tokens = 0;
    let stepInEpoch = 0;
    for await (const batch of batches(trainLoader)) {
      if (result.globalStep >= totalSteps) {
        torch.dispose(batch);
        break;
      }
      const r = torch.tidy(() => {
        const [x, labels, seg, isNext] = batch.map((t) => t.to(device));
        optimizer.zeroGrad();
        const forward = (): [Tensor, Tensor] => {
          if (exact) {
            const [nsp, mlm] = model.forward(x, seg);
            return [nspFn.forward(nsp, isNext), mlmFn.forward(mlm.view(-1, mlm.size(-1)), labels.view(-1))];
          }
          const [nsp, mlm, targets] = model.forwardMasked(x, seg, labels);
          return [nspFn.forward(nsp.float(), isNext), mlmFn.forward(mlm.float(), targets)];
        };
        const [nspLoss, mlmLoss] = amp ? torch.autocast('cuda', forward) : forward();
        const loss = nspLoss.add(mlmLoss);
        const value = loss.item();
        if (!Number.isFinite(value)) return null;
        loss.backward();
        torch.nn.utils.clipGradNorm_(params, maxGradNorm);
        optimizer.step();
        return { loss: value, nspLoss: nspLoss.item(), mlmLoss: mlmLoss.item(), tokens: x.numel() };
      });
      torch.dispose(batch);
      stepInEpoch++;
      if (r === null) {
        result.skippedBatches++;
        continue;
      }
      const lr = optimizer.paramGroups[0].lr;
      scheduler?.step();
      result.globalStep++;
      tokens += r.tokens;
      const rec: StepRecord = { epoch, step: result.globalStep, loss: r.loss, nspLoss: r.nspLoss, mlmLoss: r.mlmLoss, lr };
      result.steps.push(rec);
      const elapsed = (performance.now() - t0) / 1000;
      if (opts.progress ?? true) {
        bar.update({ epoch, epochs, step: stepInEpoch, total: perEpoch, loss: r.loss, nspLoss: r.nspLoss, mlmLoss: r.mlmLoss, tokensPerSec: tokens / elapsed, elapsedSec: elapsed });
      }
      if (result.globalStep % 10 === 0) log({ type: 'step', ...rec, tokensPerSec: tokens / elapsed });
    }
    if (opts.progress ?? true) bar.done();
    const epochSec = (performance.now() - t0) / 1000;
    console.log(`epoch ${epoch}: ${stepInEpoch} batches in ${epochSec.toFixed(1)} s (${Math.round(tokens / epochSec)} tokens/s)` +
      (result.skippedBatches > 0 ? `, ${result.skippedBatches} batches skipped (loss not finite)` : ''));
    if (testLoader !== null) {
      const ev = await evaluate(testLoader, model, mlmFn, device, { exactCourse: exact });
      result.evals.push({ ...ev, epoch, step: result.globalStep });
      log({ type: 'eval', epoch, step: result.globalStep, ...ev });
    }
    if (opts.outDir !== undefined) {
      const evalLoss = result.evals.length > 0 ? result.evals[result.evals.length - 1].loss : NaN;
      const ck = {
        model: model.stateDict(),
        optimizer: optimizer.stateDict(),
        scheduler: scheduler !== null ? scheduler.stateDict() : null,
        epoch,
        step: result.globalStep,
        config: configDict(model.config),
        vocab: opts.vocabPath ?? null,
        eval_loss: evalLoss,
        best_eval_loss: Math.min(result.bestEvalLoss, Number.isFinite(evalLoss) ? evalLoss : Infinity),
        meta: opts.meta ?? {},
      };
      const path = join(opts.outDir, `epoch-${epoch}.pt`);
      torch.save(ck, path);
      result.checkpoints.push(path);
      if (Number.isFinite(evalLoss) && evalLoss < result.bestEvalLoss) {
        result.bestEvalLoss = evalLoss;
        torch.save(ck, join(opts.outDir, 'best.pt'));
      } else if (!existsSync(join(opts.outDir, 'best.pt')) && testLoader === null) {
        torch.save(ck, join(opts.outDir, 'best.pt'));
      }
      // The model's state dict holds new handles; the optimizer's holds its live state (as PyTorch's).
      torch.dispose(ck.model);
      console.log(`saved ${path}`);
      plotRun(opts.outDir, result);
    }
  }
  return result;
}

function plotRun(outDir: string, r: TrainResult): void {
  const smooth = (xs: [number, number][]): [number, number][] => {
    const out: [number, number][] = [];
    let avg = NaN;
    for (const [x, y] of xs) {
      avg = Number.isNaN(avg) ? y : 0.95 * avg + 0.05 * y;
      out.push([x, avg]);
    }
    return out;
  };
  writeLossCurvePng(join(outDir, 'loss.png'), [
    { name: 'train mlm', color: [31, 119, 180], points: smooth(r.steps.map((s) => [s.step, s.mlmLoss])) },
    { name: 'train nsp', color: [255, 127, 14], points: smooth(r.steps.map((s) => [s.step, s.nspLoss])) },
    { name: 'eval mlm', color: [214, 39, 40], points: r.evals.map((e) => [e.step, e.mlmLoss]), style: 'dots' },
    { name: 'eval nsp', color: [44, 160, 44], points: r.evals.map((e) => [e.step, e.nspLoss]), style: 'dots' },
  ], { title: 'BERT pretraining loss', xLabel: 'step', yLabel: 'loss' });
}
