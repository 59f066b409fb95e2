import type { RouteConfig } from "../config/config.js";
import type { ClaimedRecord } from "../domain/record.js";
import { RouteGate } from "../limits/route-gate.js";
import type { Held, RouteSlot } from "./record-worker-options.js";
import type { RouteLoad } from "./route-load.js";

/** A record's lease as the store knows it: renewed and given back by id and attempt. */
export interface Lease {
  id: number;
  attempt: number;
}

/**
 * What a worker holds leases on: per route, the records prefetched (claimed, not started) and
 * the number in flight; per record, its attempt's abort controller once it runs. The worker
 * decides when records come and go; this keeps the books straight when they do (a record taken
 * out of a queue is also forgotten as held, so its lease is neither renewed nor its late answer
 * written).
 */
export class HeldRecords {
  readonly slots = new Map<string, RouteSlot>();
  private readonly held = new Map<number, Held>();
  /** Records given back while their call ran (shutdown, a job's stop): no outcome is written. */
  private readonly released = new Set<number>();

  constructor(routes: RouteConfig[]) {
    for (const r of routes) {
      this.slots.set(r.name, {
        config: r,
        gate: new RouteGate(r),
        inFlight: 0,
        queue: [],
        gateTimer: null,
        heldProjects: new Set(),
        projectTimer: null,
      });
    }
  }

  get size(): number {
    return this.held.size;
  }

  get inFlight(): number {
    let n = 0;
    for (const s of this.slots.values()) n += s.inFlight;
    return n;
  }

  /** Each route's load now (the dashboard samples it; docs/dashboard.md). */
  routeLoad(now: number): RouteLoad[] {
    return [...this.slots.values()].map((s) => ({
      route: s.config.name,
      inFlight: s.inFlight,
      queued: s.queue.length,
      concurrency: s.gate.concurrency,
      pausedUntil: s.gate.pausedUntilMs > now ? s.gate.pausedUntilMs : null,
    }));
  }

  /** A claimed record joins its route's prefetch. */
  add(record: ClaimedRecord): void {
    this.held.set(record.id, { record, controller: null });
    this.slots.get(record.route)!.queue.push(record);
  }

  /** The record's entry while it is held (its attempt's controller is set there when it runs). */
  get(id: number): Held | undefined {
    return this.held.get(id);
  }

  /**
   * The record's call ended: it is no longer held. Returns whether it was still held as `held`
   * (its lease not lost meanwhile) and whether it had been given back during the call.
   */
  finish(id: number, held: Held): { stillHeld: boolean; released: boolean } {
    const stillHeld = this.held.get(id) === held;
    this.held.delete(id);
    return { stillHeld, released: this.released.delete(id) };
  }

  /** Records given back to the store: their leases are no longer this worker's. */
  forget(records: ClaimedRecord[]): void {
    for (const r of records) this.held.delete(r.id);
  }

  leases(): Lease[] {
    return [...this.held.values()].map((h) => ({ id: h.record.id, attempt: h.record.attempt }));
  }

  /** Jobs with records prefetched, and in flight too when `inFlightToo`. */
  jobs(inFlightToo: boolean): Set<string> {
    const jobs = new Set<string>();
    for (const s of this.slots.values()) for (const r of s.queue) jobs.add(r.jobId);
    if (inFlightToo) for (const h of this.held.values()) jobs.add(h.record.jobId);
    return jobs;
  }

  hasPrefetch(): boolean {
    for (const s of this.slots.values()) if (s.queue.length > 0) return true;
    return false;
  }

  /**
   * Takes the job's prefetched records out (synchronously, so no start can slip in) and returns
   * them; with `abortInFlight`, its calls in flight are aborted and marked given back (their
   * records are returned to the store when each call ends).
   */
  takeJob(jobId: string, abortInFlight: boolean): ClaimedRecord[] {
    const unsent: ClaimedRecord[] = [];
    for (const s of this.slots.values()) {
      if (!s.queue.some((r) => r.jobId === jobId)) continue;
      unsent.push(...s.queue.filter((r) => r.jobId === jobId));
      s.queue = s.queue.filter((r) => r.jobId !== jobId);
    }
    this.forget(unsent);
    if (abortInFlight) {
      for (const h of this.held.values()) {
        if (h.record.jobId !== jobId || !h.controller) continue;
        this.released.add(h.record.id);
        h.controller.abort();
      }
    }
    return unsent;
  }

  /** Shutdown: every prefetched record is taken out, and every route's timers cleared. */
  takeAllQueued(): ClaimedRecord[] {
    const queued: ClaimedRecord[] = [];
    for (const s of this.slots.values()) {
      if (s.gateTimer) clearTimeout(s.gateTimer);
      if (s.projectTimer) clearTimeout(s.projectTimer);
      queued.push(...s.queue.splice(0));
    }
    return queued;
  }

  /** Shutdown after the grace time: the calls still running are aborted and marked given back. */
  abortAll(): ClaimedRecord[] {
    const running = [...this.held.values()];
    for (const h of running) this.released.add(h.record.id);
    for (const h of running) h.controller?.abort();
    return running.map((h) => h.record);
  }

  /** The store says these leases were lost (expired and claimed elsewhere, or the job expired). */
  dropLost(ids: number[]): void {
    for (const id of ids) {
      const h = this.held.get(id);
      if (!h) continue;
      this.held.delete(id);
      h.controller?.abort();
      const slot = this.slots.get(h.record.route);
      if (slot) slot.queue = slot.queue.filter((r) => r.id !== id);
    }
  }
}
