import type { Duty } from "./duty.js";

/**
 * One duty's timer: a pass every `intervalMs` (counted from the end of the last) and on demand
 * (`wake()`), never two at once: a wake during a pass makes one more pass right after it, so
 * nothing asked for is missed and passes never overlap. Errors are logged and the loop carries
 * on (the next pass retries).
 */
export class DutyLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private closed = false;
  private readonly stopping = new AbortController();

  constructor(private readonly duty: Duty) {}

  get name(): string {
    return this.duty.name;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    this.schedule(this.duty.firstPass === "after-interval" ? this.duty.intervalMs : 0);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.duty.wake) this.duty.wake();
    else if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Stops scheduling at once; a pass in progress finishes, but no further one starts. */
  halt(): void {
    this.stopped = true;
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  /** Stops the loop, waits for a pass in progress to end, then closes the duty. */
  async stop(): Promise<void> {
    this.halt();
    await this.running;
    if (this.closed) return;
    this.closed = true;
    await this.duty.close?.();
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
          await this.duty.pass(this.stopping.signal);
        } catch (err) {
          console.error(`docket: ${this.duty.name} failed: ${(err as Error).message}`);
        }
      } while (this.again && !this.stopped);
    })();
    await this.running;
    this.running = null;
    this.schedule(this.duty.intervalMs);
  }
}
