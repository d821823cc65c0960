/** loss.png of a run: smoothed training MLM/NSP losses per step and the evaluations, from the metrics records. */
import { writeLossCurvePng } from '../plot.js';
import type { MetricRecord } from './metrics-log.js';

/** Exponential moving average (0.95) of the y values. */
function smooth(points: [number, number][]): [number, number][] {
  let avg = NaN;
  return points.map(([x, y]) => {
    avg = Number.isNaN(avg) ? y : 0.95 * avg + 0.05 * y;
    return [x, avg];
  });
}

/** Draws the run's curve into `file` (atomically). */
export function writeRunCurve(file: string, records: readonly MetricRecord[]): void {
  const steps = records.filter((r) => r.type === 'step');
  const evals = records.filter((r) => r.type === 'eval');
  writeLossCurvePng(
    file,
    [
      { name: 'train mlm', color: [31, 119, 180], points: smooth(steps.map((s) => [s.step, s.mlmLoss])) },
      { name: 'train nsp', color: [255, 127, 14], points: smooth(steps.map((s) => [s.step, s.nspLoss])) },
      { name: 'eval mlm', color: [214, 39, 40], points: evals.map((e) => [e.step, e.mlmLoss]), style: 'dots' },
      { name: 'eval nsp', color: [44, 160, 44], points: evals.map((e) => [e.step, e.nspLoss]), style: 'dots' },
    ],
    { title: 'BERT pretraining loss', xLabel: 'step', yLabel: 'loss' },
  );
}
