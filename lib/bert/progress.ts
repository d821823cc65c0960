/** A one-line progress bar with loss, tokens/s and ETA (plain lines when not a TTY). */

export interface ProgressState {
  epoch: number;
  epochs: number;
  step: number;
  total: number | undefined;
  loss: number;
  nspLoss: number;
  mlmLoss: number;
  tokensPerSec: number;
  elapsedSec: number;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

export class ProgressBar {
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly everySteps = 50,
  ) {
    this.tty = Boolean(stream.isTTY) && process.env.CI === undefined;
  }

  update(s: ProgressState, force = false): void {
    const now = Date.now();
    if (this.tty) {
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 24;
      const frac = s.total ? Math.min(1, s.step / s.total) : 0;
      const filled = Math.round(frac * width);
      const bar = s.total ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
      const eta = s.total ? fmtTime((s.elapsedSec / Math.max(1, s.step)) * (s.total - s.step)) : '--:--';
      this.stream.write(
        `\repoch ${s.epoch}/${s.epochs} ${bar}${s.step}/${s.total ?? '?'} loss ${s.loss.toFixed(4)} ` +
          `(nsp ${s.nspLoss.toFixed(3)} mlm ${s.mlmLoss.toFixed(3)}) ${Math.round(s.tokensPerSec)} tok/s ETA ${eta}   `,
      );
    } else if (force || s.step % this.everySteps === 0) {
      this.stream.write(
        `epoch ${s.epoch}/${s.epochs} step ${s.step}/${s.total ?? '?'} loss ${s.loss.toFixed(4)} ` +
          `(nsp ${s.nspLoss.toFixed(3)} mlm ${s.mlmLoss.toFixed(3)}) ${Math.round(s.tokensPerSec)} tok/s\n`,
      );
    }
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.tty) this.stream.write('\n');
  }
}
