import { unansweredFailure } from "../backends/backend.js";
import type { BackendRegistry } from "../backends/backend-registry.js";
import type { RouteConfig } from "../config/config.js";
import type { ClaimedRecord } from "../domain/record.js";
import { RouteGate } from "../limits/route-gate.js";
import { estimateRequestTokens } from "../limits/token-estimate.js";
import type { Store } from "../store/store.js";
import { AckBuffer } from "./ack-buffer.js";
import type { AttemptObserver } from "./attempt-observer.js";
import { outcomeOf } from "./outcome-of.js";

export interface RecordWorkerOptions {
  store: Store;
  backends: BackendRegistry;
  routes: RouteConfig[];
  /** Unique per process: leases are held in this name. */
  owner: string;
  leaseMs: number;
  claimBatch: number;
  pollMs: number;
  /** Called when the worker runs out of work, so maintenance can finalize promptly. */
  onIdle?: () => void;
  /** Told about every finished attempt (metrics: processing time, outcomes, tokens). */
  onAttempt?: AttemptObserver;
}

interface RouteSlot {
  config: RouteConfig;
  gate: RouteGate;
  inFlight: number;
  /** Set while the gate holds the route (rate limit, Retry-After pause): when to look again. */
  gateTimer: NodeJS.Timeout | null;
  /** Claimed but not started: a small prefetch so a freed slot starts at once, no store trip. */
  queue: ClaimedRecord[];
}

interface Held {
  record: ClaimedRecord;
  controller: AbortController | null;
}

/**
 * Claims records in chunks, runs each through its route's backend within the route's
 * concurrency, and writes outcomes through a group-commit buffer. Leases are renewed by a
 * heartbeat; a record whose lease is lost (expired and re-claimed elsewhere, or its job
 * expired) is aborted and its late answer would be refused by the store anyway.
 */
export class RecordWorker {
  private readonly slots = new Map<string, RouteSlot>();
  private readonly held = new Map<number, Held>();
  /** Records given back on shutdown: their aborted calls must not write an outcome. */
  private readonly released = new Set<number>();
  private readonly ack: AckBuffer;
  private pumping = false;
  private pumpAgain = false;
  /** The last claim found nothing: do not ask again until woken or the poll timer fires. */
  private dry = false;
  private stopping = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private drained: (() => void) | null = null;

  constructor(private readonly o: RecordWorkerOptions) {
    for (const r of o.routes) {
      this.slots.set(r.name, { config: r, gate: new RouteGate(r), inFlight: 0, queue: [], gateTimer: null });
    }
    this.ack = new AckBuffer(o.store, {
      maxBatch: Math.max(256, o.claimBatch),
      // A commit (an fsync with synchronous=FULL) blocks the event loop on SQLite; gathering
      // ~10 ms of outcomes keeps that to a small share of the loop at any throughput.
      delayMs: 10,
      onFlushed: (refused) => {
        if (refused.length > 0) console.warn(`docket: ${refused.length} stale results refused (lease lost)`);
      },
    });
  }

  start(): void {
    this.heartbeat = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.o.leaseMs / 3)));
    this.heartbeat.unref();
    this.wake();
  }

  /** New work may exist (a job was validated, a retry came due, a record finished). */
  wake(): void {
    this.dry = false;
    void this.pump();
  }

  /**
   * This process's part of every route's rpm/tpm budget: 1 / the live worker processes
   * (the worker registry tells the process assembly how many there are).
   */
  setShare(share: number): void {
    for (const s of this.slots.values()) s.gate.setShare(share);
  }

  get inFlight(): number {
    let n = 0;
    for (const s of this.slots.values()) n += s.inFlight;
    return n;
  }

  /**
   * Graceful stop: records not yet started are given back at once; in-flight ones get
   * `graceMs` to finish, then are aborted and given back, so no other worker waits for a lease.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    for (const s of this.slots.values()) if (s.gateTimer) clearTimeout(s.gateTimer);
    const queued: ClaimedRecord[] = [];
    for (const s of this.slots.values()) queued.push(...s.queue.splice(0));
    await this.giveBack(queued);
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((r) => {
          this.drained = r;
        }),
        new Promise((r) => setTimeout(r, graceMs)),
      ]);
    }
    const stillRunning = [...this.held.values()];
    for (const h of stillRunning) this.released.add(h.record.id);
    for (const h of stillRunning) h.controller?.abort();
    await this.ack.flush();
    await this.giveBack(stillRunning.map((h) => h.record));
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  private async giveBack(records: ClaimedRecord[]): Promise<void> {
    if (records.length === 0) return;
    for (const r of records) this.held.delete(r.id);
    await this.o.store.releaseRecords(
      this.o.owner,
      records.map((r) => ({ id: r.id, attempt: r.attempt })),
      Date.now(),
    );
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.startQueued();
        if (this.stopping || this.dry) break;
        const wants = this.claimWants();
        if (wants.length === 0) break;
        const claimed = await this.o.store.claimRecords({
          owner: this.o.owner,
          routes: wants,
          leaseMs: this.o.leaseMs,
          now: Date.now(),
        });
        for (const r of claimed) {
          this.held.set(r.id, { record: r, controller: null });
          this.slots.get(r.route)!.queue.push(r);
        }
        if (claimed.length === 0) {
          this.dry = true;
          await this.schedulePoll();
        } else {
          this.pumpAgain = true;
        }
      } while (this.pumpAgain);
    } catch (err) {
      console.error(`docket: claiming records failed: ${(err as Error).message}`);
      this.dry = true;
      this.pollTimer = setTimeout(() => this.wake(), this.o.pollMs);
    } finally {
      this.pumping = false;
    }
    if (this.inFlight === 0 && this.held.size === 0) this.o.onIdle?.();
  }

  /** Per route, how many more records to claim: keep up to 2× concurrency held. */
  private claimWants(): Array<{ route: string; limit: number }> {
    const wants: Array<{ route: string; limit: number }> = [];
    for (const [name, s] of this.slots) {
      const concurrency = s.gate.concurrency;
      const room = 2 * concurrency - s.inFlight - s.queue.length;
      // Refill in chunks, not one record per store trip, but before the prefetch runs dry:
      // slots freed while a claim is in the store must still find a record waiting.
      if (room >= Math.min(this.o.claimBatch, Math.ceil(concurrency / 2)) || (room > 0 && s.inFlight === 0)) {
        wants.push({ route: name, limit: Math.min(room, this.o.claimBatch) });
      }
    }
    return wants;
  }

  private async schedulePoll(): Promise<void> {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    let delay = this.o.pollMs;
    const next = await this.o.store.nextRunAt([...this.slots.keys()]);
    if (next !== null) delay = Math.max(1, Math.min(delay, next - Date.now()));
    this.pollTimer = setTimeout(() => this.wake(), delay);
    this.pollTimer.unref();
  }

  private startQueued(): void {
    const now = Date.now();
    for (const s of this.slots.values()) {
      if (s.gateTimer) continue;
      while (s.inFlight < s.gate.concurrency && s.queue.length > 0) {
        const record = s.queue[0]!;
        const tokens = s.config.tpm ? estimateRequestTokens(record.body) : 0;
        const wait = s.gate.tryStart(tokens, now);
        if (wait > 0) {
          s.gateTimer = setTimeout(() => {
            s.gateTimer = null;
            void this.pump();
          }, wait);
          break;
        }
        s.queue.shift();
        this.run(s, record, tokens);
      }
    }
  }

  private run(slot: RouteSlot, record: ClaimedRecord, estimatedTokens: number): void {
    const held = this.held.get(record.id);
    if (!held) return; // lease lost while queued
    const controller = new AbortController();
    held.controller = controller;
    slot.inFlight++;
    const started = Date.now();
    const backend = this.o.backends.get(slot.config);
    backend
      .send({ endpoint: record.endpoint, body: record.body, signal: controller.signal })
      .then(
        (result) => {
          const now = Date.now();
          slot.gate.onFinished(
            {
              rttMs: now - started,
              overloaded: !result.ok && isOverload(result.statusCode, result.code),
              retryAfterMs: result.ok ? null : result.retryAfterMs,
              estimatedTokens,
              actualTokens:
                result.ok && result.usage ? result.usage.inputTokens + result.usage.outputTokens : null,
            },
            slot.inFlight,
            now,
          );
          return outcomeOf(result, record.attempt, now);
        },
        (err: unknown) =>
          outcomeOf(
            unansweredFailure("internal_error", `the backend raised: ${(err as Error).message}`, true),
            record.attempt,
            Date.now(),
          ),
      )
      .then((outcome) => {
        slot.inFlight--;
        this.o.onAttempt?.({
          record,
          route: slot.config.name,
          startedAt: started,
          finishedAt: Date.now(),
          outcome,
        });
        const stillHeld = this.held.get(record.id) === held;
        this.held.delete(record.id);
        if (stillHeld && !this.released.has(record.id)) {
          this.ack.push({ recordId: record.id, attempt: record.attempt, outcome });
        }
        this.released.delete(record.id);
        if (this.stopping && this.inFlight === 0) this.drained?.();
        if (slot.queue.length > 0 || !this.dry) void this.pump();
        else if (this.inFlight === 0) {
          // A finished record may have made a job complete, or a retry may now be due.
          this.dry = false;
          void this.pump();
        }
      });
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const leases = [...this.held.values()].map((h) => ({ id: h.record.id, attempt: h.record.attempt }));
    try {
      const lost = await this.o.store.renewLeases(this.o.owner, leases, Date.now() + this.o.leaseMs);
      for (const id of lost) {
        const h = this.held.get(id);
        if (!h) continue;
        this.held.delete(id);
        h.controller?.abort();
        const slot = this.slots.get(h.record.route);
        if (slot) slot.queue = slot.queue.filter((r) => r.id !== id);
      }
    } catch (err) {
      console.error(`docket: renewing leases failed: ${(err as Error).message}`);
    }
  }
}

/** Answers that mean "too much load", which the adaptive loop backs off from. */
function isOverload(status: number | null, code: string): boolean {
  return status === 429 || status === 503 || status === 529 || code === "timeout";
}
