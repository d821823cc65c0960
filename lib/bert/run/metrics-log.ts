/**
 * metrics.jsonl: one JSON line per optimizer step and per evaluation. Lines
 * are buffered and appended every few steps and at each checkpoint; a resumed
 * run first drops the lines after its checkpoint (they are trained again), so
 * the file holds every step once, earlier epochs included.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-write.js';

/** One optimizer step. */
export interface StepMetrics {
  type: 'step';
  epoch: number;
  step: number;
  loss: number;
  nspLoss: number;
  mlmLoss: number;
  lr: number;
  /** Tokens per second over the epoch so far (all processes). */
  tokensPerSec: number;
}

/** One evaluation on the test pairs. */
export interface EvalMetrics {
  type: 'eval';
  epoch: number;
  step: number;
  loss: number;
  nspLoss: number;
  mlmLoss: number;
  nspAccuracy: number;
  batches: number;
  examples: number;
}

export type MetricRecord = StepMetrics | EvalMetrics;

/** Reads a metrics.jsonl (records of the first `step` steps when given). @throws Error for a line that is not JSON, naming it. */
export function readMetrics(path: string, upToStep = Infinity): MetricRecord[] {
  if (!existsSync(path)) return [];
  const out: MetricRecord[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let rec: MetricRecord;
      try {
        rec = JSON.parse(line) as MetricRecord;
      } catch {
        throw new Error(`${path}:${i + 1} is not a JSON line`);
      }
      if (rec.step <= upToStep) out.push(rec);
    });
  return out;
}

/** The metrics of one run folder. */
export class MetricsLog {
  /** Every record of the run, earlier invocations included. */
  readonly records: MetricRecord[];
  private pending: string[] = [];

  /**
   * @param path the run's metrics.jsonl.
   * @param earlier records kept from before (a resumed run's, up to its checkpoint); the file is rewritten to hold exactly these.
   */
  constructor(
    readonly path: string,
    earlier: MetricRecord[] = [],
  ) {
    this.records = [...earlier];
    if (earlier.length > 0 || existsSync(path)) writeFileAtomic(path, earlier.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  /** Adds a record (written at the next {@link flush}). */
  add(rec: MetricRecord): void {
    this.records.push(rec);
    this.pending.push(`${JSON.stringify(rec)}\n`);
  }

  /** Appends the buffered records to the file. */
  flush(): void {
    if (this.pending.length === 0) return;
    appendFileSync(this.path, this.pending.join(''));
    this.pending = [];
  }
}
