import { tablePricing } from "../budget/job-pricing.js";
import { WorkerBudgets } from "../budget/worker-budgets.js";
import { type BudgetStop, budgetRecordError } from "../domain/budget-stop.js";
import { CoalescedRuns } from "../domain/coalesced-runs.js";
import type { ClaimedRecord, Outcome, RecordError } from "../domain/record.js";
import { type ProjectRouteGate, ProjectRouteGates } from "../limits/project-route-gates.js";
import { RouteGate } from "../limits/route-gate.js";
import { estimateRequestTokens } from "../limits/token-estimate.js";
import { AckBuffer } from "./ack-buffer.js";
import type { Held, RecordWorkerOptions, RouteSlot } from "./record-worker-options.js";
import type { RouteLoad } from "./route-load.js";
import { sendAttempt } from "./send-attempt.js";
import { StopChecks } from "./stop-checks.js";
import { StoppedJobs } from "./stopped-jobs.js";

export type { RecordWorkerOptions } from "./record-worker-options.js";

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
  private readonly pumps = new CoalescedRuns(() => this.pumpOnce());
  /** The last claim found nothing: do not ask again until woken or the poll timer fires. */
  private dry = false;
  private stopping = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private drained: (() => void) | null = null;
  private readonly stopped = new StoppedJobs();
  /** Budget stops being written, with the job's records claimed meanwhile (never sent). */
  private readonly budgetStops = new Map<string, ClaimedRecord[]>();
  /** The claim being taken in (its budget look-ups included): a budget stop waits for it. */
  private claimTurn: Promise<void> = Promise.resolve();
  private readonly budgets: WorkerBudgets;
  private readonly stopChecks: StopChecks;
  private readonly projectGates: ProjectRouteGates;
  /** False when no project has a ceiling on any route: the start pass stays as simple as before. */
  private readonly projectLimited: boolean;

  constructor(private readonly o: RecordWorkerOptions) {
    this.budgets = new WorkerBudgets(o.store, o.pricing ?? tablePricing());
    this.stopChecks = new StopChecks({
      store: o.store,
      stopped: this.stopped,
      budgets: this.budgets,
      everyMs: o.stopCheckMs ?? null,
      heldJobs: () => {
        const jobs = new Set<string>();
        for (const s of this.slots.values()) for (const r of s.queue) jobs.add(r.jobId);
        if (o.abortInFlightOnStop) for (const h of this.held.values()) jobs.add(h.record.jobId);
        return jobs;
      },
      hasPrefetch: () => this.hasPrefetch(),
      onStopped: (jobId, error) => this.stopJob(jobId, error),
      onBudgetStop: (jobId, stop) => void this.stopForBudget(jobId, stop),
    });
    this.projectGates = new ProjectRouteGates(o.projects);
    this.projectLimited = this.projectGates.any;
    for (const r of o.routes) {
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

  /** Each route's load now (the dashboard samples it; docs/dashboard.md). */
  routeLoad(now = Date.now()): RouteLoad[] {
    return [...this.slots.values()].map((s) => ({
      route: s.config.name,
      inFlight: s.inFlight,
      queued: s.queue.length,
      concurrency: s.gate.concurrency,
      pausedUntil: s.gate.pausedUntilMs > now ? s.gate.pausedUntilMs : null,
    }));
  }

  start(): void {
    this.heartbeat = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.o.leaseMs / 3)));
    this.heartbeat.unref();
    this.stopChecks.start();
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
    this.projectGates.setShare(share);
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
    for (const s of this.slots.values()) {
      if (s.gateTimer) clearTimeout(s.gateTimer);
      if (s.projectTimer) clearTimeout(s.projectTimer);
    }
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
    this.stopChecks.stop();
  }

  /**
   * Job `jobId` was stopped (a cancel or a budget stop that committed, or its expiry): nothing
   * more of it is sent from now on. Its prefetched records are taken out at once (synchronously,
   * so no start can slip in) and end cancelled with `error`; requests in flight may finish,
   * unless `abortInFlightOnStop`.
   */
  stopJob(jobId: string, error: RecordError | null = null): void {
    void this.giveBack(this.dropJob(jobId, error), error);
  }

  /** Several processes share the store: look for stops decided elsewhere (on every work hint). */
  checkStops(): Promise<void> {
    return this.stopChecks.check();
  }

  /** Marks the job stopped and takes its unsent records out of the prefetch (synchronous). */
  private dropJob(jobId: string, error: RecordError | null): ClaimedRecord[] {
    this.stopped.add(jobId, error);
    this.budgets.forget(jobId);
    const unsent: ClaimedRecord[] = [];
    for (const s of this.slots.values()) {
      if (!s.queue.some((r) => r.jobId === jobId)) continue;
      unsent.push(...s.queue.filter((r) => r.jobId === jobId));
      s.queue = s.queue.filter((r) => r.jobId !== jobId);
    }
    for (const r of unsent) this.held.delete(r.id);
    if (this.o.abortInFlightOnStop) {
      for (const h of this.held.values()) {
        if (h.record.jobId !== jobId || !h.controller) continue;
        // Its late answer is not written; the record is given back (cancelled) when the call ends.
        this.released.add(h.record.id);
        h.controller.abort();
      }
    }
    return unsent;
  }

  /**
   * This worker saw the job's spend reach its budget (or found it has no price): the prefetch is
   * dropped before anything else starts, then the stop is written with those records counted
   * as not run, and other processes are told.
   */
  private async stopForBudget(jobId: string, stop: BudgetStop): Promise<void> {
    const error = budgetRecordError(stop);
    const unsent = this.dropJob(jobId, error);
    // Records of the job claimed meanwhile (the store still has it in progress) join the stop.
    this.budgetStops.set(jobId, unsent);
    try {
      // A claim already under way may still bring records of the job: they join `unsent`. No
      // new claim starts until this stop is written (see pump).
      await this.claimTurn;
      // The results that reached the budget are counted in the stop's message.
      await this.ack.flush();
      const held = unsent.map((r) => ({ id: r.id, attempt: r.attempt }));
      const job = await this.o.store.stopForBudget(jobId, stop, Date.now(), { owner: this.o.owner, held });
      // Not stopped here (already cancelled or stopped elsewhere): they still must not run.
      if (!job) await this.o.store.releaseRecords(this.o.owner, held, Date.now(), error);
    } catch (err) {
      // Their leases run out and the sweep cancels them (the job is cancelling) or requeues them.
      console.error(`docket: stopping job ${jobId} for its budget failed: ${(err as Error).message}`);
    } finally {
      this.budgetStops.delete(jobId);
    }
    this.o.onJobStopped?.(jobId);
    this.wake();
  }

  private async giveBack(records: ClaimedRecord[], stopError: RecordError | null = null): Promise<void> {
    if (records.length === 0) return;
    for (const r of records) this.held.delete(r.id);
    try {
      await this.o.store.releaseRecords(
        this.o.owner,
        records.map((r) => ({ id: r.id, attempt: r.attempt })),
        Date.now(),
        stopError,
      );
    } catch (err) {
      if (this.stopping) throw err;
      // Their leases run out; the sweep then cancels them (job cancelling) or requeues them.
      console.error(`docket: giving back ${records.length} records failed: ${(err as Error).message}`);
    }
  }

  private async pump(): Promise<void> {
    try {
      if (!(await this.pumps.run())) return;
    } catch (err) {
      console.error(`docket: claiming records failed: ${(err as Error).message}`);
      this.dry = true;
      this.pollTimer = setTimeout(() => this.wake(), this.o.pollMs);
    }
    if (this.inFlight === 0 && this.held.size === 0) this.o.onIdle?.();
  }

  /** One pass of `pump`: start what the gates allow, then claim more; false ends the run. */
  private async pumpOnce(): Promise<boolean> {
    this.startQueued();
    // No claim while a budget stop is written: whatever it returned of that job would be
    // cancelled outside the stop, and missing from its count of records not run.
    if (this.stopping || this.dry || this.budgetStops.size > 0) return false;
    const wants = this.claimWants();
    if (wants.length === 0) return false;
    const claimed = await this.o.store.claimRecords({
      owner: this.o.owner,
      routes: wants,
      leaseMs: this.o.leaseMs,
      now: Date.now(),
      ...(this.o.projectWeights ? { projectWeights: this.o.projectWeights } : {}),
    });
    const turn = this.take(claimed);
    this.claimTurn = turn.catch(() => {});
    await turn;
    if (claimed.length === 0) {
      this.dry = true;
      await this.schedulePoll();
    } else {
      this.pumps.repeat();
    }
    return true;
  }

  /**
   * Claimed records join the prefetch, except those of a job stopped while the claim was in the
   * store. A job seen for the first time is looked up for a budget before any of it starts.
   */
  private async take(claimed: ClaimedRecord[]): Promise<void> {
    const late: ClaimedRecord[] = [];
    for (const r of claimed) {
      if (this.stopped.has(r.jobId)) {
        (this.budgetStops.get(r.jobId) ?? late).push(r);
        continue;
      }
      this.held.set(r.id, { record: r, controller: null });
      this.slots.get(r.route)!.queue.push(r);
    }
    for (const r of late) void this.giveBack([r], this.stopped.errorOf(r.jobId));
    const unknown = this.budgets.unknown(claimed.map((r) => r.jobId));
    if (unknown.length === 0) return;
    const holding = new Set([...this.held.values()].map((h) => h.record.jobId));
    for (const s of await this.budgets.learn(unknown, holding)) void this.stopForBudget(s.jobId, s.stop);
  }

  private hasPrefetch(): boolean {
    for (const s of this.slots.values()) if (s.queue.length > 0) return true;
    return false;
  }

  /** Per route, how many more records to claim: keep up to 2× concurrency held. */
  private claimWants(): Array<{ route: string; limit: number; skipProjects?: string[] }> {
    const wants: Array<{ route: string; limit: number; skipProjects?: string[] }> = [];
    for (const [name, s] of this.slots) {
      const concurrency = s.gate.concurrency;
      // Records of a project held at its own ceiling wait aside: they neither fill the prefetch
      // nor are more of them claimed (each held project keeps at most what it had queued).
      const waiting = s.heldProjects.size === 0 ? s.queue.length : this.runnableQueued(s);
      const room = 2 * concurrency - s.inFlight - waiting;
      // Refill in chunks, not one record per store trip, but before the prefetch runs dry:
      // slots freed while a claim is in the store must still find a record waiting.
      if (room >= Math.min(this.o.claimBatch, Math.ceil(concurrency / 2)) || (room > 0 && s.inFlight === 0)) {
        wants.push({
          route: name,
          limit: Math.min(room, this.o.claimBatch),
          ...(s.heldProjects.size > 0 ? { skipProjects: [...s.heldProjects] } : {}),
        });
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

  private runnableQueued(s: RouteSlot): number {
    let n = 0;
    for (const r of s.queue) if (!s.heldProjects.has(r.projectId)) n++;
    return n;
  }

  private startQueued(): void {
    const now = Date.now();
    for (const s of this.slots.values()) {
      if (s.gateTimer) continue;
      if (this.projectLimited) {
        this.startQueuedByProject(s, now);
        continue;
      }
      while (s.inFlight < s.gate.concurrency && s.queue.length > 0) {
        const record = s.queue[0]!;
        const tokens = s.config.tpm ? estimateRequestTokens(record.body, record.bodyParts?.bytes) : 0;
        const wait = s.gate.tryStart(tokens, now);
        if (wait > 0) {
          this.holdRoute(s, wait);
          break;
        }
        s.queue.shift();
        this.run(s, record, tokens, null);
      }
    }
  }

  private holdRoute(s: RouteSlot, wait: number): void {
    s.gateTimer = setTimeout(() => {
      s.gateTimer = null;
      void this.pump();
    }, wait);
  }

  /**
   * The start pass when projects have their own ceilings on routes: a record whose project is
   * at its ceiling on the route is passed over (it stays queued, in order) and the next
   * project's record starts, so one project's limit never holds another's work. The pass is
   * looked at again when a held project's rate opens (a timer) or one of its requests ends.
   */
  private startQueuedByProject(s: RouteSlot, now: number): void {
    s.heldProjects.clear();
    let reopensIn = Number.POSITIVE_INFINITY;
    for (let i = 0; s.inFlight < s.gate.concurrency && i < s.queue.length; ) {
      const record = s.queue[i]!;
      if (s.heldProjects.has(record.projectId)) {
        i++;
        continue;
      }
      const project = this.projectGates.of(s.config, record.projectId);
      const countsTokens = s.config.tpm !== undefined || project?.limits.tpm !== undefined;
      const tokens = countsTokens ? estimateRequestTokens(record.body, record.bodyParts?.bytes) : 0;
      const projectWait = project?.tryStart(tokens, now) ?? 0;
      if (projectWait > 0) {
        s.heldProjects.add(record.projectId);
        reopensIn = Math.min(reopensIn, projectWait);
        i++;
        continue;
      }
      const wait = s.gate.tryStart(tokens, now);
      if (wait > 0) {
        project?.refund(tokens, now);
        this.holdRoute(s, wait);
        break;
      }
      s.queue.splice(i, 1);
      this.run(s, record, tokens, project);
    }
    if (s.projectTimer) clearTimeout(s.projectTimer);
    s.projectTimer = null;
    if (Number.isFinite(reopensIn)) {
      s.projectTimer = setTimeout(() => {
        s.projectTimer = null;
        // The held project's records may start now, and more of them be claimed.
        this.dry = false;
        void this.pump();
      }, reopensIn);
    }
  }

  private run(
    slot: RouteSlot,
    record: ClaimedRecord,
    estimatedTokens: number,
    project: ProjectRouteGate | null,
  ): void {
    const held = this.held.get(record.id);
    if (!held) return; // lease lost while queued
    const controller = new AbortController();
    held.controller = controller;
    slot.inFlight++;
    if (project) project.inFlight++;
    const started = Date.now();
    sendAttempt(this.o.backends.get(slot.config), slot.gate, record, {
      signal: controller.signal,
      estimatedTokens,
      inFlight: () => slot.inFlight,
      kinds: this.o.kinds,
    }).then((outcome) => {
      slot.inFlight--;
      const finished = Date.now();
      if (project) {
        project.inFlight--;
        const usage = outcome.kind === "succeeded" ? outcome.usage : undefined;
        project.finished(estimatedTokens, usage ? usage.inputTokens + usage.outputTokens : null, finished);
      }
      this.o.onAttempt?.({
        record,
        route: slot.config.name,
        startedAt: started,
        finishedAt: finished,
        outcome,
      });
      const stillHeld = this.held.get(record.id) === held;
      this.held.delete(record.id);
      const released = this.released.delete(record.id);
      if (stillHeld) this.settle(record, outcome, released, finished - started);
      if (this.stopping && this.inFlight === 0) this.drained?.();
      if (slot.queue.length > 0 || !this.dry) void this.pump();
      else if (this.inFlight === 0) {
        // A finished record may have made a job complete, or a retry may now be due.
        this.dry = false;
        void this.pump();
      }
    });
  }

  /** Writes a finished attempt's outcome, and charges its usage to the job's budget. */
  private settle(record: ClaimedRecord, outcome: Outcome, released: boolean, latencyMs: number): void {
    if (released) {
      // Aborted because its job stopped (on shutdown, stop() gives it back itself).
      if (!this.stopping) void this.giveBack([record], this.stopped.errorOf(record.jobId));
      return;
    }
    if (outcome.kind === "retry" && this.stopped.has(record.jobId)) {
      // No retry for a stopped job: a record put back to pending would never run again.
      void this.giveBack([record], this.stopped.errorOf(record.jobId));
      return;
    }
    this.ack.push({ recordId: record.id, attempt: record.attempt, outcome, latencyMs });
    if (outcome.kind !== "succeeded" || !outcome.usage) return;
    // Decided here, before this slot's next start: the job's prefetch is dropped at once.
    const stop = this.budgets.charge(record.jobId, outcome.usage);
    if (stop) void this.stopForBudget(record.jobId, stop);
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
