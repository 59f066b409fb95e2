import { spentUsd } from "../budget/batch-spend.js";
import { priceOrStop } from "../budget/check-budgets.js";
import type { ModelPricing } from "../budget/job-pricing.js";
import { estimateBatchUsd, estimateRecordTokens } from "../budget/record-estimate.js";
import { type BudgetedForPacking, SubmitAllowance } from "../budget/submit-allowance.js";
import type { BudgetStop } from "../domain/budget-stop.js";
import type { ProviderJob } from "../domain/provider-job.js";
import type { ClaimedRecord } from "../domain/record.js";
import type { BudgetedJob, Store } from "../store/store.js";
import { recordBodyText } from "./record-body.js";

/** Bound records read per page when a provider job's reservation is counted again. */
const PAGE = 1_000;

/**
 * Job budgets before submission (docs/provider-batch.md, "Cost"): a budgeted Docket job gets no
 * more records packed into provider jobs than its budget pays for at the batch price
 * (`SubmitAllowance`). What each open provider job holds of each budgeted job is remembered as
 * it is packed; a provider job this process did not pack (after a restart, or packed by the
 * previous leader) has its share counted again from its bound records the first time it is seen.
 */
export class SubmitBudget {
  /** Per open provider job, the estimated batch cost of each budgeted Docket job's records it holds. */
  private readonly reserved = new Map<string, Map<string, number>>();
  /** Jobs that waited in the last pass, and the open provider jobs then: until one ends, packing finds nothing new. */
  private waiting: { jobs: Set<string>; openKey: string; until: number } | null = null;

  constructor(
    private readonly store: Store,
    private readonly pricing: ModelPricing,
  ) {}

  /**
   * True when packing now would only claim records of jobs that wait for their provider jobs and
   * give them back: no provider job of the route has ended since, and every job with runnable
   * records on the route is one of them. Asked of the store at most once per `recheckMs`.
   */
  async onlyWaitingJobs(
    route: string,
    open: readonly ProviderJob[],
    now: number,
    recheckMs: number,
  ): Promise<boolean> {
    const w = this.waiting;
    if (w === null) return false;
    if (openKey(open) !== w.openKey) {
      this.waiting = null;
      return false;
    }
    if (now < w.until) return true;
    const jobs = await this.store.jobsWaitingOn(route, 1_000);
    if (!jobs.every((j) => w.jobs.has(j.jobId))) {
      this.waiting = null;
      return false;
    }
    w.until = now + recheckMs;
    return true;
  }

  /** What one packing pass may pack per budgeted job, given the route's open provider jobs. */
  async allowance(open: readonly ProviderJob[]): Promise<SubmitAllowance> {
    const budgeted = await this.store.listBudgetedJobs();
    const openIds = new Set(open.map((p) => p.id));
    for (const id of this.reserved.keys()) if (!openIds.has(id)) this.reserved.delete(id);
    if (budgeted.length === 0) return new SubmitAllowance(new Map());
    const jobs = new Map<string, BudgetedForPacking>();
    for (const job of budgeted) jobs.set(job.id, await this.forPacking(job));
    for (const pj of open)
      if (!this.reserved.has(pj.id)) this.reserved.set(pj.id, await this.recount(pj, jobs));
    for (const [jobId, job] of jobs) {
      for (const share of this.reserved.values()) job.reservedUsd += share.get(jobId) ?? 0;
    }
    return new SubmitAllowance(jobs);
  }

  /**
   * After a packing pass: `packed` (null when nothing went on) holds what the allowance let
   * through, and the jobs that had to wait are remembered with the open provider jobs of now.
   */
  packed(
    packed: ProviderJob | null,
    allowance: SubmitAllowance,
    open: readonly ProviderJob[],
    now: number,
  ): void {
    if (packed === null) {
      // Nothing packed (or too little to send, and given back): the next pass must look again.
      this.waiting = null;
      return;
    }
    this.reserved.set(packed.id, allowance.packed());
    this.waiting =
      allowance.waiting.size === 0
        ? null
        : { jobs: new Set(allowance.waiting), openKey: openKey([...open, packed]), until: now };
  }

  /**
   * Stops each job the allowance stopped (`stopForBudget`), cancelling with it the records this
   * pass claimed of it; when the job was not stopped (it ended meanwhile), they are given back.
   */
  async stopJobs(
    owner: string,
    stops: ReadonlyMap<string, { stop: BudgetStop; held: ClaimedRecord[] }>,
    now: number,
    log?: (line: string) => void,
  ): Promise<void> {
    for (const [jobId, { stop, held }] of stops) {
      const lease = held.map((r) => ({ id: r.id, attempt: r.attempt }));
      const stopped = await this.store.stopForBudget(jobId, stop, now, { owner, held: lease });
      if (stopped) log?.(`provider batch: job ${jobId} stopped before submission: ${stop.code}`);
      else await this.store.releaseRecords(owner, lease, now);
    }
  }

  private async forPacking(job: BudgetedJob): Promise<BudgetedForPacking> {
    const priced = await priceOrStop(this.store, this.pricing, job);
    if ("stop" in priced) {
      return { budgetUsd: job.budgetUsd, spentUsd: 0, reservedUsd: 0, price: priced.stop, batchDiscount: 0 };
    }
    const model = (await this.store.getJob(job.id))?.model ?? null;
    return {
      budgetUsd: job.budgetUsd,
      spentUsd: await spentUsd(this.store, this.pricing, job, priced.price),
      reservedUsd: 0,
      price: priced.price,
      batchDiscount: model === null ? 0 : (this.pricing.batchDiscount?.(model) ?? 0),
    };
  }

  /** A provider job's share per budgeted job, estimated again from the records it still holds. */
  private async recount(
    pj: ProviderJob,
    jobs: ReadonlyMap<string, BudgetedForPacking>,
  ): Promise<Map<string, number>> {
    const share = new Map<string, number>();
    const members = (await this.store.providerJobMembers(pj.id)).filter((id) => jobs.has(id));
    if (members.length === 0) return share;
    let after = 0;
    for (;;) {
      const page = await this.store.readBoundRecords(pj.id, after, PAGE);
      if (page.length === 0) return share;
      for (const r of page) {
        const job = jobs.get(r.jobId);
        if (job === undefined || "code" in job.price) continue;
        const body = await recordBodyText(r, this.store.capabilities.largeBodies);
        const usd = estimateBatchUsd(estimateRecordTokens(body), job.price, job.batchDiscount);
        share.set(r.jobId, (share.get(r.jobId) ?? 0) + usd);
      }
      after = page[page.length - 1]!.id;
    }
  }
}

const openKey = (open: readonly ProviderJob[]) =>
  open
    .map((p) => p.id)
    .sort()
    .join(",");
