import type { AutoBackendConfig } from "../config/batch-backend-config.js";
import { AUTO_DEFAULTS } from "../config/batch-backend-config.js";
import { OPEN_PROVIDER_JOB_STATES, providerJobOwner } from "../domain/provider-job.js";
import type { Store } from "../store/store.js";
import { chooseLane, fallbackDue, type HybridSettings, learnedTurnaround } from "./hybrid-decision.js";

/** Jobs looked at per pass on one route (the rest next pass). */
const JOBS_PER_PASS = 500;
const PAGE = 1_000;

/**
 * An `auto` route (docs/provider-batch.md, "Hybrid routing"): moves each job's records from the
 * auto route to its batch route or its on-demand route, and, when a job's window is about to
 * end, pulls back what still waits for a provider (pending on the batch route, or bound to a
 * provider job that has not answered) onto the on-demand route. A record pulled back from a
 * provider job gets a new attempt when a worker claims it, so the provider's late answer is refused.
 */
export class HybridRouter {
  private readonly settings: HybridSettings;
  private readonly observed: number[] = [];

  constructor(
    private readonly store: Store,
    readonly autoRoute: string,
    private readonly backend: AutoBackendConfig,
    private readonly onMoved: () => void = () => {},
  ) {
    this.settings = {
      turnaroundMs: backend.turnaroundMs ?? AUTO_DEFAULTS.turnaroundMs,
      minBatchRecords: backend.minBatchRecords ?? AUTO_DEFAULTS.minBatchRecords,
      onlineFallbackBeforeMs: backend.onlineFallbackBeforeMs ?? AUTO_DEFAULTS.onlineFallbackBeforeMs,
    };
  }

  get batchRoute(): string {
    return this.backend.batchRoute;
  }

  /** A provider job of the batch route ended after `ms`: planning learns from it. */
  observeTurnaround(ms: number): void {
    this.observed.push(ms);
    if (this.observed.length > 100) this.observed.splice(0, this.observed.length - 100);
  }

  turnaroundMs(): number {
    return learnedTurnaround(this.settings.turnaroundMs, this.observed);
  }

  async pass(now: number): Promise<void> {
    const { batchRoute, onlineRoute } = this.backend;
    let moved = 0;
    const turnaround = this.turnaroundMs();
    for (const job of await this.store.jobsWaitingOn(this.autoRoute, JOBS_PER_PASS)) {
      // An invocation is one request someone waits for: always on-demand.
      const lane = job.kind === "invocation" ? "online" : chooseLane(job, now, this.settings, turnaround);
      moved += await this.store.rerouteRecords(
        job.jobId,
        this.autoRoute,
        lane === "batch" ? batchRoute : onlineRoute,
      );
    }
    for (const job of await this.store.jobsWaitingOn(batchRoute, JOBS_PER_PASS)) {
      if (fallbackDue(job.expiresAt, now, this.settings.onlineFallbackBeforeMs)) {
        moved += await this.store.rerouteRecords(job.jobId, batchRoute, onlineRoute);
      }
    }
    moved += await this.pullBackFromProvider(now);
    if (moved > 0) this.onMoved();
  }

  /** Records bound to open provider jobs whose Docket job's fallback is due: given back, then rerouted. */
  private async pullBackFromProvider(now: number): Promise<number> {
    const open = await this.store.listProviderJobs({
      states: OPEN_PROVIDER_JOB_STATES,
      route: this.batchRoute,
      limit: 1_000,
    });
    const due = new Map<string, boolean>();
    const pulledJobs = new Set<string>();
    let pulled = 0;
    for (const pj of open) {
      if (pj.state === "ingesting") continue; // its results are being written now
      let anyDue = false;
      for (const jobId of await this.store.providerJobMembers(pj.id)) {
        let d = due.get(jobId);
        if (d === undefined) {
          const job = await this.store.getJob(jobId);
          d = job !== undefined && fallbackDue(job.expiresAt, now, this.settings.onlineFallbackBeforeMs);
          due.set(jobId, d);
        }
        anyDue ||= d;
      }
      if (!anyDue) continue;
      let after = 0;
      for (;;) {
        const page = await this.store.readBoundRecords(pj.id, after, PAGE);
        if (page.length === 0) break;
        const back = [];
        for (const r of page) {
          let d = due.get(r.jobId);
          if (d === undefined) {
            const job = await this.store.getJob(r.jobId);
            d = job !== undefined && fallbackDue(job.expiresAt, now, this.settings.onlineFallbackBeforeMs);
            due.set(r.jobId, d);
          }
          if (d) {
            back.push({ id: r.id, attempt: r.attempt });
            pulledJobs.add(r.jobId);
          }
        }
        if (back.length > 0) await this.store.releaseRecords(providerJobOwner(pj.id), back, now);
        pulled += back.length;
        after = page[page.length - 1]!.id;
      }
    }
    for (const jobId of pulledJobs)
      await this.store.rerouteRecords(jobId, this.batchRoute, this.backend.onlineRoute);
    return pulled;
  }
}
