/**
 * A duty run every `intervalMs` and on demand (`poke()`), never twice at once: a poke while a
 * pass runs makes one more pass right after it, so nothing asked for is missed and passes
 * never overlap. Errors are logged and the loop carries on (the next pass retries).
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<void>,
  ) {}

  start(): void {
    this.schedule(0);
  }

  poke(): void {
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stops the loop and waits for a pass in progress to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loop(), delay);
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (err) {
          console.error(`docket: ${this.name} failed: ${(err as Error).message}`);
        }
      } while (this.again && !this.stopped);
    })();
    await this.running;
    this.running = null;
    this.schedule(this.intervalMs);
  }
}
