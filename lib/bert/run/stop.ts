/**
 * Ctrl-C and `kill` for a training run: the first SIGINT or SIGTERM asks the
 * loop to stop after the current step (it then writes a checkpoint and the
 * process exits with 130 or 143, as a shell reports those signals); a second
 * one exits at once. The same signal arriving twice within a moment counts
 * once: a terminal's Ctrl-C reaches `npm` and the trainer, and npm forwards
 * its copy too.
 */

/** The signals a run stops on, and the exit code each one means. */
export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

/** Copies of one signal closer together than this are one press of Ctrl-C. */
const SAME_PRESS_MS = 300;

/** Stop requests from process signals. */
export class StopRequests {
  /** The first signal received, or null. */
  signal: StopSignal | null = null;
  private at = 0;
  private readonly handlers = new Map<StopSignal, () => void>();

  /**
   * @param log where the notices go (default stderr).
   * @param exit how a second signal ends the process (default `process.exit`).
   */
  constructor(
    private readonly log: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  /** Starts listening (replacing Node's default: exit at once). */
  install(): this {
    for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) {
      const h = (): void => this.receive(sig);
      this.handlers.set(sig, h);
      process.on(sig, h);
    }
    return this;
  }

  /** Stops listening (Node's default behavior again). */
  uninstall(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.clear();
  }

  /** Records a signal (what the handlers call). */
  receive(sig: StopSignal): void {
    const now = Date.now();
    if (this.signal === null) {
      this.signal = sig;
      this.at = now;
      this.log(`\n${sig}: stopping after this step and writing a checkpoint (${sig === 'SIGINT' ? 'Ctrl-C' : 'send it'} again to quit at once)`);
      return;
    }
    if (sig === this.signal && now - this.at < SAME_PRESS_MS) return;
    this.log(`${sig} again: quitting without a checkpoint`);
    this.exit(STOP_SIGNALS[sig]);
  }

  /**
   * Once a duplicate of the first signal can no longer arrive, stops
   * listening: from then on a signal ends the process at once (Node's
   * default), even in the middle of the final checkpoint's write (which is
   * atomic: the previous file stays whole).
   */
  async release(): Promise<void> {
    if (this.signal === null) return;
    const wait = this.at + SAME_PRESS_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.uninstall();
  }

  /** The exit code for the signal received (0 when none). */
  get exitCode(): number {
    return this.signal === null ? 0 : STOP_SIGNALS[this.signal];
  }
}
