import { OPEN_PROVIDER_JOB_STATES, type ProviderJob } from "../domain/provider-job.js";
import { giveBackAll } from "./bound-record-moves.js";
import { ingestProviderJob } from "./ingest-provider-job.js";
import { freeSlots, tokenRoom } from "./job-slots.js";
import { routeGuards } from "./pack-guards.js";
import { packProviderJob } from "./pack-provider-job.js";
import { pollProviderJob } from "./poll-provider-job.js";
import { classifyProviderError } from "./provider-error.js";
import {
  moveProviderJob,
  newRunnerContext,
  type ProviderBatchRunnerOptions,
  type RunnerContext,
} from "./runner-context.js";
import { submitProviderJob } from "./submit-provider-job.js";

export type { ProviderBatchRunnerOptions } from "./runner-context.js";

/**
 * Runs one batch route's provider jobs (docs/provider-batch.md): packs runnable records into
 * provider jobs within every quota and only while a slot is free (pack-provider-job.ts), submits
 * them (submit-provider-job.ts: the intent is recorded first, and `submit` is idempotent by the
 * provider job's id), polls them (poll-provider-job.ts), ingests their results
 * (ingest-provider-job.ts) and sends again what did not succeed. Every step starts from the
 * stored row, so a pass after a crash carries on wherever the last one stopped.
 */
export class ProviderBatchRunner {
  private readonly ctx: RunnerContext;

  constructor(o: ProviderBatchRunnerOptions) {
    this.ctx = newRunnerContext(o);
  }

  get route(): string {
    return this.ctx.o.route;
  }

  /** Stops the results thread, if one runs. */
  close(): Promise<void> {
    return this.ctx.results.close();
  }

  /** One pass: advance every open provider job, then start new ones while slots are free. */
  async pass(stopping: AbortSignal): Promise<void> {
    for (const pj of await this.open()) {
      if (stopping.aborted) return;
      await this.advance(pj);
    }
    await this.startNew(stopping);
  }

  private open(): Promise<ProviderJob[]> {
    return this.ctx.o.store.listProviderJobs({
      states: OPEN_PROVIDER_JOB_STATES,
      route: this.ctx.o.route,
      limit: 1_000,
    });
  }

  /** Takes one provider job one step (or several) further from its stored state. */
  async advance(pj: ProviderJob): Promise<void> {
    const ctx = this.ctx;
    // A large job's results thread starts while the provider works (results-reader.ts).
    if (pj.state !== "packing") ctx.results.warm(pj.records);
    const due = ctx.nextTry.get(pj.id);
    if (due !== undefined && due > ctx.now()) return;
    switch (pj.state) {
      case "packing":
        // Found at the start of a pass: the process that packed it died (or lost the lead) before
        // it was complete. Ended first, so no more records can be bound to it, then emptied.
        await moveProviderJob(ctx, pj, "cancelled", {
          error: "Packing was interrupted; its records were given back.",
        });
        await giveBackAll(ctx, pj);
        return;
      case "uploading":
      case "submitting":
        return submitProviderJob(ctx, pj);
      case "running":
        return pollProviderJob(ctx, pj);
      case "ingesting":
        return ingestProviderJob(ctx, pj);
    }
  }

  private async startNew(stopping: AbortSignal): Promise<void> {
    const ctx = this.ctx;
    const { store, client, route, pollMs } = ctx.o;
    const q = client.quotas;
    // With every slot taken, the provider is asked again only after a poll interval.
    if (ctx.now() < ctx.slotsCheckedUntil) return;
    for (;;) {
      if (stopping.aborted) return;
      const runnable = await store.countRunnable(route, ctx.now(), q.minRecordsPerJob);
      // Fewer than the provider's minimum: they wait for more (docs/provider-batch.md, "Packing").
      if (runnable === 0 || runnable < q.minRecordsPerJob) return;
      const open = await this.open();
      const free = freeSlots(q.maxJobsInFlight, await this.inFlight(open), open);
      if (free <= 0) {
        ctx.slotsCheckedUntil = ctx.now() + pollMs;
        return;
      }
      // The route's enqueued-token limit is used up by its open provider jobs: as with no free slot.
      const room = tokenRoom(q.maxEnqueuedTokens, open);
      if (room !== null && room <= 0) {
        ctx.slotsCheckedUntil = ctx.now() + pollMs;
        return;
      }
      // Only jobs whose budget waits for their provider jobs to end: claiming them would give them back.
      if (await routeGuards(ctx).budget.onlyWaitingJobs(route, open, ctx.now(), pollMs)) return;
      const pj = await packProviderJob(ctx, room);
      if (pj === null) return;
      ctx.results.warm(pj.records);
      await submitProviderJob(ctx, pj);
    }
  }

  private async inFlight(open: readonly ProviderJob[]): Promise<number> {
    const { client, modelId, route, log } = this.ctx.o;
    const model = open.find((j) => j.state === "running")?.model ?? modelId ?? "";
    try {
      return await client.inFlight(model);
    } catch (err) {
      log?.(`provider batch ${route}: could not count jobs in flight: ${classifyProviderError(err).message}`);
      return Number.MAX_SAFE_INTEGER; // unknown: start nothing this pass
    }
  }
}
