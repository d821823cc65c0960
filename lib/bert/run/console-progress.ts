/** The console side of a run: the progress bar, a line per epoch and per evaluation. */
import { ProgressBar } from '../progress.js';
import type { TrainEvents } from './events.js';

export function consoleProgress(opts: { bar?: boolean } = {}): TrainEvents {
  const bar = new ProgressBar();
  const showBar = opts.bar ?? true;
  return {
    resumed: (r) =>
      console.log(
        r.epochComplete ? `resumed after epoch ${r.epoch} (step ${r.step})` : `resumed in epoch ${r.epoch} after ${r.samplesInEpoch} samples (step ${r.step})`,
      ),
    step: (rec, info) => {
      if (!showBar) return;
      bar.update({
        epoch: rec.epoch,
        epochs: info.epochs,
        step: info.batch,
        total: info.batches,
        loss: rec.loss,
        nspLoss: rec.nspLoss,
        mlmLoss: rec.mlmLoss,
        tokensPerSec: rec.tokensPerSec,
        elapsedSec: info.elapsedSec,
      });
    },
    epochEnd: (s) => {
      if (showBar) bar.done();
      console.log(
        `epoch ${s.epoch}: ${s.batches} batches in ${s.seconds.toFixed(1)} s (${Math.round(s.tokensPerSec)} tokens/s)` +
          (s.skippedBatches > 0 ? `, ${s.skippedBatches} batches skipped (loss not finite)` : ''),
      );
    },
    eval: (e) =>
      console.log(
        `eval: loss ${e.loss.toFixed(4)} (nsp ${e.nspLoss.toFixed(4)}, mlm ${e.mlmLoss.toFixed(4)}), ` +
          `nsp accuracy ${(100 * e.nspAccuracy).toFixed(2)}% over ${e.examples} examples`,
      ),
  };
}
