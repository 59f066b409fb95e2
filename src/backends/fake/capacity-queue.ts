/**
 * A hard limit on requests served at once, with a FIFO queue for the rest: the behaviour of an
 * inference server whose batch is full. The wait is real time spent queued, which is what an
 * adaptive client has to discover.
 */
export class CapacityQueue {
  private waiting: Array<Waiter | null> = [];
  private head = 0;
  private queuedCount = 0;
  private draining = false;
  inUse = 0;
  maxInUse = 0;
  maxQueued = 0;

  constructor(private limit: number) {}

  get queued(): number {
    return this.queuedCount;
  }

  setLimit(limit: number): void {
    this.limit = limit;
    this.drain();
  }

  /**
   * Calls `start` when a slot is free (at once if one is) with the time its service began.
   * Returns a cancel function for a client that leaves while still queued; after `start` it
   * does nothing.
   */
  acquire(start: (startedAt: number) => void): () => void {
    if (this.inUse < this.limit && this.queuedCount === 0) {
      this.take();
      start(Date.now());
      return noop;
    }
    const waiter: Waiter = { start, index: this.waiting.length };
    this.waiting.push(waiter);
    this.queuedCount++;
    if (this.queuedCount > this.maxQueued) this.maxQueued = this.queuedCount;
    return () => {
      if (this.waiting[waiter.index] === waiter) {
        this.waiting[waiter.index] = null;
        this.queuedCount--;
      }
    };
  }

  /**
   * Frees a slot. `finishedAt` is when the finished request was due: a queued request starts
   * from then, not from when the late-firing timer got round to it, so timer lag does not pile
   * up into lost capacity (a real server's batch slot does not wait for our event loop).
   */
  release(finishedAt = Date.now()): void {
    this.inUse--;
    this.drain(finishedAt);
  }

  resetPeaks(): void {
    this.maxInUse = this.inUse;
    this.maxQueued = this.queuedCount;
  }

  private drain(handoffAt = Date.now()): void {
    // A start() that finishes synchronously releases inside this loop; the loop picks that up.
    if (this.draining) return;
    this.draining = true;
    while (this.inUse < this.limit && this.head < this.waiting.length) {
      const waiter = this.waiting[this.head];
      this.waiting[this.head++] = null;
      if (!waiter) continue;
      this.queuedCount--;
      this.take();
      waiter.start(handoffAt);
    }
    this.draining = false;
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    }
  }

  private take(): void {
    this.inUse++;
    if (this.inUse > this.maxInUse) this.maxInUse = this.inUse;
  }
}

interface Waiter {
  start: (startedAt: number) => void;
  index: number;
}

function noop(): void {}
