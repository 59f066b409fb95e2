import { tablePricing } from "../budget/job-pricing.js";
import type { SubmitAllowance } from "../budget/submit-allowance.js";
import type { BudgetStop } from "../domain/budget-stop.js";
import { OPEN_PROVIDER_JOB_STATES, type ProviderJob } from "../domain/provider-job.js";
import type { ClaimedRecord } from "../domain/record.js";
import { BatchBridges } from "./batch-bridge.js";
import { BridgedRecords } from "./bridged-records.js";
import { recordBodyText } from "./record-body.js";
import type { RunnerContext } from "./runner-context.js";
import { SubmitBudget } from "./submit-budget.js";

/** What packing does with one claimed record. */
export type Admission =
  /** Encode this request (translated when bridged); call `taken()` once the packer took it. */
  | { kind: "send"; endpoint: string; body: string; taken: () => void }
  /** Fail the record for good with this error. */
  | { kind: "refuse"; code: string; message: string }
  /** Give it back uncounted: its job's budget waits for its provider jobs to end. */
  | { kind: "wait" }
  /** Its job is being stopped for its budget (`settle` cancels the record with it). */
  | { kind: "stop" };

/** What lasts between a route's packing passes: the budget's reservations and each endpoint's bridge. */
interface RouteGuards {
  budget: SubmitBudget;
  bridges: BatchBridges;
  records: BridgedRecords;
}

const byContext = new WeakMap<RunnerContext, RouteGuards>();

/** The guards of a runner's route, made on first use. */
export function routeGuards(ctx: RunnerContext): RouteGuards {
  let g = byContext.get(ctx);
  if (g === undefined) {
    const { store, route, client, modelId, pricing } = ctx.o;
    const bridges = new BatchBridges({
      name: route,
      backend: { type: client.kind, ...(modelId ? { modelId } : {}) },
    });
    g = {
      budget: new SubmitBudget(store, pricing ?? tablePricing()),
      bridges,
      records: new BridgedRecords(store, bridges),
    };
    byContext.set(ctx, g);
  }
  return g;
}

/**
 * The checks packing makes on each claimed record besides the quotas (docs/provider-batch.md):
 * bridging into the provider's dialect ("Bridging") and the Docket job's budget at the batch
 * price ("Cost"). One per packing pass.
 */
export class PackGuards {
  private readonly stops = new Map<string, { stop: BudgetStop; held: ClaimedRecord[] }>();

  private constructor(
    private readonly ctx: RunnerContext,
    private readonly guards: RouteGuards,
    private readonly allowance: SubmitAllowance,
    private readonly open: readonly ProviderJob[],
  ) {}

  static async start(ctx: RunnerContext): Promise<PackGuards> {
    const guards = routeGuards(ctx);
    const open = await ctx.o.store.listProviderJobs({
      states: OPEN_PROVIDER_JOB_STATES,
      route: ctx.o.route,
      limit: 1_000,
    });
    return new PackGuards(ctx, guards, await guards.budget.allowance(open), open);
  }

  async admit(r: ClaimedRecord): Promise<Admission> {
    const body = await recordBodyText(r, this.ctx.o.store.capabilities.largeBodies);
    const request = this.guards.bridges.providerRequest(r.endpoint, body);
    if ("refused" in request) return { kind: "refuse", ...request.refused };
    const v = this.allowance.check(r.jobId, body);
    switch (v.verdict) {
      case "free":
        return { kind: "send", ...request, taken: () => {} };
      case "take":
        return { kind: "send", ...request, taken: () => this.allowance.take(r.jobId, v.usd) };
      case "wait":
        return { kind: "wait" };
      case "stop": {
        let s = this.stops.get(r.jobId);
        if (s === undefined) {
          s = { stop: v.stop, held: [] };
          this.stops.set(r.jobId, s);
        }
        s.held.push(r);
        return { kind: "stop" };
      }
    }
  }

  /** After each claimed chunk: the jobs to stop for their budget are stopped, with the records held of them. */
  async settle(owner: string): Promise<void> {
    if (this.stops.size === 0) return;
    const stops = new Map(this.stops);
    this.stops.clear();
    await this.guards.budget.stopJobs(owner, stops, this.ctx.now(), this.ctx.o.log);
    this.ctx.o.onChange?.();
  }

  /** After the pass: what the provider job (null: none went on) holds of each budgeted job. */
  finish(packed: ProviderJob | null): void {
    this.guards.budget.packed(packed, this.allowance, this.open, this.ctx.now());
  }
}
