/**
 * A fixed set of slots handed out one request at a time, first come first served. Each slot is a
 * context with its own thread: on CPU, one request per context is the fastest arrangement (see
 * docs/local-engine.md for the measurements).
 */
export class SlotPool<T> {
  private readonly idle: T[];
  private readonly waiting: Array<(slot: T) => void> = [];

  constructor(slots: readonly T[]) {
    this.idle = [...slots];
  }

  acquire(): Promise<T> {
    const slot = this.idle.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(slot: T): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }

  async use<R>(fn: (slot: T) => Promise<R>): Promise<R> {
    const slot = await this.acquire();
    try {
      return await fn(slot);
    } finally {
      this.release(slot);
    }
  }

  get waitingCount(): number {
    return this.waiting.length;
  }
}
