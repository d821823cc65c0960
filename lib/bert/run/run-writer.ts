/**
 * The run folder's writer: metrics.jsonl (every step and evaluation),
 * checkpoints (`epoch-N.pt` at epoch ends; `last.pt`, the latest of any kind;
 * `best.pt`, the best evaluation so far) and loss.png. `last.pt` and `best.pt`
 * are hard links to the file just written, not second copies. Every file is
 * written atomically.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../torch/index.js';
import { linkFileAtomic } from '../atomic-write.js';
import { vocabularyEntries } from '../checkpoint.js';
import { writeRunCurve } from './loss-curve.js';
import { MetricsLog, readMetrics, type MetricRecord } from './metrics-log.js';
import type { CheckpointInfo, TrainEvents } from './events.js';

/** Buffered metrics are appended at least this often (steps). */
const FLUSH_EVERY = 10;

export class RunWriter implements TrainEvents {
  /** Files written by this process, in order (a file written twice is listed once). */
  readonly written: string[] = [];
  private readonly metrics: MetricsLog;
  private sinceFlush = 0;

  /**
   * @param dir the run folder (created if needed).
   * @param vocab the vocabulary, stored in every checkpoint (null: none stored).
   * @param resumeFrom a resumed run: the metrics.jsonl of its earlier part and the step of its checkpoint; the records after that step are dropped.
   * @param log where "saved ..." lines go (default console.log).
   */
  constructor(
    readonly dir: string,
    private readonly vocab: readonly string[] | null,
    resumeFrom?: { metrics: string; step: number },
    private readonly log: (message: string) => void = (m) => console.log(m),
  ) {
    mkdirSync(dir, { recursive: true });
    const earlier: MetricRecord[] = resumeFrom !== undefined ? readMetrics(resumeFrom.metrics, resumeFrom.step) : [];
    this.metrics = new MetricsLog(join(dir, 'metrics.jsonl'), earlier);
  }

  private note(file: string): void {
    if (!this.written.includes(file)) this.written.push(file);
  }

  step(rec: Parameters<NonNullable<TrainEvents['step']>>[0]): void {
    this.metrics.add(rec);
    if (++this.sinceFlush >= FLUSH_EVERY) this.flush();
  }

  eval(rec: Parameters<NonNullable<TrainEvents['eval']>>[0]): void {
    this.metrics.add(rec);
    this.flush();
  }

  private flush(): void {
    this.metrics.flush();
    this.note(this.metrics.path);
    this.sinceFlush = 0;
  }

  checkpoint(info: CheckpointInfo, snapshot: () => Record<string, unknown>): void {
    const ck = snapshot();
    if (this.vocab !== null) Object.assign(ck, vocabularyEntries(this.vocab));
    const main = join(this.dir, info.reason === 'epoch' ? `epoch-${info.epoch}.pt` : 'last.pt');
    try {
      torch.save(ck, main);
    } finally {
      // The model's state dict holds new handles; the optimizer's holds its live state (as PyTorch's).
      torch.dispose(ck.model);
    }
    this.note(main);
    const last = join(this.dir, 'last.pt');
    if (main !== last) {
      linkFileAtomic(main, last);
      this.note(last);
    }
    if (info.isBest) {
      linkFileAtomic(main, join(this.dir, 'best.pt'));
      this.note(join(this.dir, 'best.pt'));
    }
    this.flush();
    const curve = join(this.dir, 'loss.png');
    writeRunCurve(curve, this.metrics.records);
    this.note(curve);
    this.log(`saved ${main}${info.isBest ? ' (best so far)' : ''}`);
  }

  end(): void {
    this.flush();
  }
}
