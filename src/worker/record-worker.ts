import { tablePricing } from "../budget/job-pricing.js";
import { WorkerBudgets } from "../budget/worker-budgets.js";
import { type BudgetStop, budgetRecordError } from "../domain/budget-stop.js";
import { CoalescedRuns } from "../domain/coalesced-runs.js";
import type { ClaimedRecord, Outcome, RecordError } from "../domain/record.js";
import { type ProjectRouteGate, ProjectRouteGates } from "../limits/project-route-gates.js";
import type { ClaimRequest } from "../store/record-store.js";
import { AckBuffer } from "./ack-buffer.js";
import { claimWants, type RouteHold } from "./claim-wants.js";
import { HeldRecords } from "./held-records.js";
import { LeaseHeartbeat } from "./lease-heartbeat.js";
import type { RecordWorkerOptions, RouteSlot } from "./record-worker-options.js";
import type { RouteLoad } from "./route-load.js";
import { sendAttempt } from "./send-attempt.js";
import { runnableQueued, type StartHooks, startRoute, startRouteByProject } from "./start-pass.js";
import { StopChecks } from "./stop-checks.js";
import { StoppedJobs } from "./stopped-jobs.js";

export type { RecordWorkerOptions } from "./record-worker-options.js";

/** Response bytes waiting to be written at most: a few huge answers are written at once. */
const ACK_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Claims records in chunks, runs each through its route's backend within the route's
 * concurrency, and writes outcomes through a group-commit buffer. Leases are renewed by a
 * heartbeat; a record whose lease is lost (expired and re-claimed elsewhere, or its job
 * expired) is aborted and its late answer would be refused by the store anyway.
 */
export class RecordWorker {
  private readonly held: HeldRecords;
  private readonly ack: AckBuffer;
  private readonly pumps = new CoalescedRuns(() => this.pumpOnce());
  /** The last claim found nothing: do not ask again until woken or the poll timer fires. */
  private dry = false;
  private stopping = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private readonly heartbeat: LeaseHeartbeat;
  private drained: (() => void) | null = null;
  private readonly stopped = new StoppedJobs();
  /** Budget stops being written, with the job's records claimed meanwhile (never sent). */
  private readonly budgetStops = new Map<string, ClaimedRecord[]>();
  /** The claim being taken in (its budget look-ups included): a budget stop waits for it. */
  private claimTurn: Promise<void> = Promise.resolve();
  /** Jobs seen for the first time are being looked up for a budget: nothing starts until then. */
  private learningBudgets = 0;
  private readonly budgets: WorkerBudgets;
  private readonly stopChecks: StopChecks;
  private readonly projectGates: ProjectRouteGates;
  /** False when no project has a ceiling on any route: the start pass stays as simple as before. */
  private readonly projectLimited: boolean;

  constructor(private readonly o: RecordWorkerOptions) {
    this.held = new HeldRecords(o.routes);
    this.heartbeat = new LeaseHeartbeat(o, this.held);
    this.budgets = new WorkerBudgets(o.store, o.pricing ?? tablePricing());
    this.stopChecks = new StopChecks({
      store: o.store,
      stopped: this.stopped,
      budgets: this.budgets,
      everyMs: o.stopCheckMs ?? null,
      heldJobs: () => this.held.jobs(o.abortInFlightOnStop ?? false),
      hasPrefetch: () => this.held.hasPrefetch(),
      onStopped: (jobId, error) => this.stopJob(jobId, error),
      onBudgetStop: (jobId, stop) => void this.stopForBudget(jobId, stop),
    });
    this.projectGates = new ProjectRouteGates(o.projects);
    this.projectLimited = this.projectGates.any;
    this.ack = new AckBuffer(o.store, {
      maxBatch: Math.max(256, o.claimBatch),
      maxBytes: ACK_MAX_BYTES,
      // A commit (an fsync with synchronous=FULL) blocks the event loop on SQLite: outcomes
      // gather 10–50 ms, longer the more a commit costs (gather-window.ts).
      minDelayMs: 10,
      maxDelayMs: 50,
      onFlushed: (refused) => {
        if (refused.length > 0) console.warn(`docket: ${refused.length} stale results refused (lease lost)`);
      },
    });
  }

  /** Each route's load now (the dashboard samples it; docs/dashboard.md). */
  routeLoad(now = Date.now()): RouteLoad[] {
    return this.held.routeLoad(now);
  }

  start(): void {
    this.heartbeat.start();
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
    for (const s of this.held.slots.values()) s.gate.setShare(share);
    this.projectGates.setShare(share);
  }

  get inFlight(): number {
    return this.held.inFlight;
  }

  /**
   * Graceful stop: records not yet started are given back at once; in-flight ones get
   * `graceMs` to finish, then are aborted and given back, so no other worker waits for a lease.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    await this.giveBack(this.held.takeAllQueued());
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((r) => {
          this.drained = r;
        }),
        new Promise((r) => setTimeout(r, graceMs)),
      ]);
    }
    const stillRunning = this.held.abortAll();
    await this.ack.flush();
    await this.giveBack(stillRunning);
    this.heartbeat.stop();
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
    // Calls aborted here write no late answer: each record is given back (cancelled) when its call ends.
    return this.held.takeJob(jobId, this.o.abortInFlightOnStop ?? false);
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
    this.held.forget(records);
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
    // The last outcomes are written first (not left to the gather window): whoever is told the
    // worker went idle (maintenance, to finalize) must find them in the store.
    if (this.inFlight === 0 && this.held.size === 0) void this.ack.flush().then(() => this.o.onIdle?.());
  }

  /** One pass of `pump`: start what the gates allow, then claim more; false ends the run. */
  private async pumpOnce(): Promise<boolean> {
    const running = this.inFlight;
    this.startQueued();
    let wants = this.mayClaim() ? this.claimWants() : [];
    if (wants.length > 0 && this.inFlight > running) {
      // Requests just started reach the wire first: undici writes them from a setImmediate that
      // their sends queue after this point, so the claim waits two turns; on SQLite it would
      // otherwise hold the loop for its whole transaction before they go out (pickup latency).
      await new Promise((r) => setImmediate(() => setImmediate(r)));
      wants = this.mayClaim() ? this.claimWants() : [];
    }
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
      this.held.add(r);
    }
    for (const r of late) void this.giveBack([r], this.stopped.errorOf(r.jobId));
    const unknown = this.budgets.unknown(claimed.map((r) => r.jobId));
    if (unknown.length === 0) return;
    const holding = this.held.jobs(true);
    this.learningBudgets++;
    try {
      for (const s of await this.budgets.learn(unknown, holding)) void this.stopForBudget(s.jobId, s.stop);
    } finally {
      this.learningBudgets--;
    }
  }

  /**
   * No claim while a budget stop is written: whatever it returned of that job would be
   * cancelled outside the stop, and missing from its count of records not run.
   */
  private mayClaim(): boolean {
    return !this.stopping && !this.dry && this.budgetStops.size === 0;
  }

  /**
   * Whether a finished request may start the next prefetched ones itself, outside the pump:
   * not on shutdown, and not while a claim's new jobs are looked up for a budget (the pump
   * starts those once they are known).
   */
  private mayStartNow(): boolean {
    return !this.stopping && this.learningBudgets === 0;
  }

  /** Per route, how many more records to claim (claim-wants.ts). */
  private claimWants(): ClaimRequest["routes"] {
    const holds: RouteHold[] = [];
    for (const [name, s] of this.held.slots) {
      holds.push({
        route: name,
        concurrency: s.gate.concurrency,
        inFlight: s.inFlight,
        // Records of a project held at its own ceiling wait aside: they neither fill the prefetch
        // nor are more of them claimed (each held project keeps at most what it had queued).
        runnable: runnableQueued(s),
        heldProjects: s.heldProjects,
      });
    }
    return claimWants(holds, this.o.claimBatch);
  }

  private async schedulePoll(): Promise<void> {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    let delay = this.o.pollMs;
    const next = await this.o.store.nextRunAt([...this.held.slots.keys()]);
    if (next !== null) delay = Math.max(1, Math.min(delay, next - Date.now()));
    this.pollTimer = setTimeout(() => this.wake(), delay);
    this.pollTimer.unref();
  }

  private startQueued(): void {
    const now = Date.now();
    for (const s of this.held.slots.values()) {
      if (s.gateTimer) continue;
      if (!this.projectLimited) {
        startRoute(s, now, this.startHooks);
        continue;
      }
      const reopensIn = startRouteByProject(s, now, this.projectGates, this.startHooks);
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
  }

  private readonly startHooks: StartHooks = {
    start: (slot, record, tokens, project) => this.run(slot, record, tokens, project),
    holdRoute: (slot, wait) => {
      slot.gateTimer = setTimeout(() => {
        slot.gateTimer = null;
        void this.pump();
      }, wait);
    },
  };

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
      const { stillHeld, released } = this.held.finish(record.id, held);
      if (stillHeld) this.settle(record, outcome, released, finished - started);
      if (this.stopping && this.inFlight === 0) this.drained?.();
      // The freed slot takes its next record from the prefetch now, not after a pass of the pump
      // that may be under way (a claim and the turns before it): a slot idle for those turns is
      // throughput lost at the backend. The pump then claims more if the prefetch runs low.
      if (slot.queue.length > 0 && this.mayStartNow()) this.startQueued();
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
}
