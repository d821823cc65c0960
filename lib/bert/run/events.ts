/**
 * What a training loop reports, for whoever listens: the console progress,
 * the run folder's writer, a test. Every method is optional. Under DDP only
 * rank 0's listeners are called (except those passed in by the caller).
 */
import type { EvalMetrics, StepMetrics } from './metrics-log.js';

/** Why a checkpoint is written. */
export type CheckpointReason = 'epoch' | 'interval' | 'interrupt' | 'final';

/** What is known when a checkpoint is due. */
export interface CheckpointInfo {
  reason: CheckpointReason;
  epoch: number;
  step: number;
  /** This checkpoint's evaluation loss (NaN when it has none). */
  evalLoss: number;
  /** Its evaluation is the best so far. */
  isBest: boolean;
}

export interface TrainEvents {
  /** Training continues from a checkpoint. */
  resumed?(info: { epoch: number; samplesInEpoch: number; step: number; epochComplete: boolean }): void;
  /** An epoch starts (or continues, after a resume). */
  epochStart?(epoch: number, info: { epochs: number; batches: number; startBatch: number }): void;
  /** An optimizer step was taken. */
  step?(rec: StepMetrics, info: { batch: number; batches: number; epochs: number; elapsedSec: number }): void;
  /** A batch was left out because its loss was not finite. */
  skipped?(epoch: number, batch: number): void;
  /** The epoch's batches are done (or the run stopped in it). */
  epochEnd?(summary: { epoch: number; batches: number; seconds: number; tokensPerSec: number; skippedBatches: number }): void;
  /** An evaluation finished. */
  eval?(rec: EvalMetrics): void;
  /** A checkpoint is due: `snapshot()` builds its contents (the caller of snapshot disposes nothing; the listener does). */
  checkpoint?(info: CheckpointInfo, snapshot: () => Record<string, unknown>): void;
  /** The run ended (finished or stopped). */
  end?(): void;
}
