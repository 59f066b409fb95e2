import { type ProviderJob, providerJobOwner } from "../domain/provider-job.js";
import type { ClaimedRecord } from "../domain/record.js";
import { CLAIM_CHUNK, type RunnerContext } from "./runner-context.js";

/**
 * Gives back (uncounted) every bound record whose Docket job is being cancelled: they end
 * cancelled. Returns how many records stay bound.
 */
export async function dropCancelled(ctx: RunnerContext, pj: ProviderJob): Promise<number> {
  const { store } = ctx.o;
  const statusOf = new Map<string, string>();
  for (const jobId of await store.providerJobMembers(pj.id)) {
    statusOf.set(jobId, (await store.getJob(jobId))?.status ?? "cancelling");
  }
  // Nothing to drop: count what is still bound without reading the bodies' job statuses again.
  if (![...statusOf.values()].includes("cancelling")) return store.countBound(pj.id);
  let after = 0;
  let kept = 0;
  for (;;) {
    const page = await store.readBoundRecords(pj.id, after, CLAIM_CHUNK);
    if (page.length === 0) return kept;
    const stopped = [];
    for (const r of page) {
      let s = statusOf.get(r.jobId);
      if (s === undefined) {
        s = (await store.getJob(r.jobId))?.status ?? "cancelling";
        statusOf.set(r.jobId, s);
      }
      if (s === "cancelling") stopped.push({ id: r.id, attempt: r.attempt });
      else kept++;
    }
    if (stopped.length > 0) {
      await store.releaseRecords(providerJobOwner(pj.id), stopped, ctx.now());
      ctx.o.onChange?.();
    }
    after = page[page.length - 1]!.id;
  }
}

/** Gives every bound record back to pending, uncounted (nothing reached the provider). */
export async function giveBackAll(ctx: RunnerContext, pj: ProviderJob): Promise<void> {
  for (;;) {
    const page = await ctx.o.store.readBoundRecords(pj.id, 0, CLAIM_CHUNK);
    if (page.length === 0) return;
    await ctx.o.store.releaseRecords(providerJobOwner(pj.id), page, ctx.now());
  }
}

/** Sends every bound record back for a later provider job, counting the attempt. */
export async function requeueAll(
  ctx: RunnerContext,
  pj: ProviderJob,
  code: string,
  message: string,
): Promise<void> {
  for (;;) {
    const page = await ctx.o.store.readBoundRecords(pj.id, 0, CLAIM_CHUNK);
    if (page.length === 0) break;
    const at = ctx.now();
    await ctx.o.store.recordResults(
      page.map((r) => ({
        recordId: r.id,
        attempt: r.attempt,
        outcome: { kind: "retry", runAt: at, response: null, error: { code, message } },
      })),
      at,
    );
  }
  ctx.o.onChange?.();
}

/** Fails claimed (not yet bound) records that can never go in a provider job of this route. */
export async function failClaimed(
  ctx: RunnerContext,
  records: ClaimedRecord[],
  code: string,
  message: (r: ClaimedRecord) => string,
): Promise<void> {
  if (records.length === 0) return;
  await ctx.o.store.recordResults(
    records.map((r) => ({
      recordId: r.id,
      attempt: r.attempt,
      outcome: { kind: "failed", response: null, error: { code, message: message(r) } },
    })),
    ctx.now(),
  );
}
