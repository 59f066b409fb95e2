import type { ProviderJob } from "../domain/provider-job.js";
import { dropCancelled, requeueAll } from "./bound-record-moves.js";
import { classifyProviderError, providerBackoffMs } from "./provider-error.js";
import { providerJobInput } from "./provider-job-input.js";
import { moveProviderJob, type RunnerContext } from "./runner-context.js";

/** Retries of a provider call that failed in a retryable way back off up to this. */
const MAX_BACKOFF_MS = 15 * 60_000;
/** A provider job refused this many times in a row (retryable errors) is failed and its records resent later. */
const MAX_SUBMIT_TRIES = 50;

/**
 * Uploads and creates the provider job (idempotent by its id), then records the provider's id
 * and moves it to `running`. A retryable refusal backs off; one that keeps coming, or one that
 * is not retryable, fails the provider job and sends its records again later.
 */
export async function submitProviderJob(ctx: RunnerContext, pj: ProviderJob): Promise<void> {
  const { o } = ctx;
  const kept = await dropCancelled(ctx, pj);
  if (kept === 0) {
    await moveProviderJob(ctx, pj, "cancelled", {
      error: "Every record's batch was cancelled before submission.",
    });
    return;
  }
  const input = await providerJobInput(ctx, pj, kept);
  // Only the first submit right after packing here cannot repeat an earlier one; a retry or a
  // row found after a restart tells the client to look for what an earlier try made.
  const resumeSinceMs = ctx.freshlyPacked.delete(pj.id) ? undefined : pj.createdAt;
  try {
    const { providerJobId } = await o.client.submit(pj.id, { ...input, resumeSinceMs });
    ctx.tries.delete(pj.id);
    const moved = await moveProviderJob(ctx, pj, "running", { providerJobId });
    o.log?.(`provider batch ${o.route}: ${pj.id} submitted as ${providerJobId} (${input.count} records)`);
    if (moved) ctx.nextTry.set(pj.id, ctx.now() + o.pollMs);
  } catch (err) {
    const f = classifyProviderError(err);
    // "Cannot tell yet whether an earlier try made it" is no refusal: it waits, uncounted.
    const undetermined = (err as { code?: unknown }).code === "provider_job_undetermined";
    const n = (ctx.tries.get(pj.id) ?? 0) + (undetermined ? 0 : 1);
    ctx.tries.set(pj.id, n);
    if (f.retryable && n < MAX_SUBMIT_TRIES) {
      ctx.nextTry.set(
        pj.id,
        ctx.now() +
          providerBackoffMs(Math.max(1, n), Math.min(o.pollMs, 5_000), MAX_BACKOFF_MS, f.retryAfterMs),
      );
      o.log?.(`provider batch ${o.route}: ${pj.id} submit will be retried: ${f.message}`);
      return;
    }
    if (f.retryable && !(await nothingMadeEarlier(ctx, pj))) return;
    ctx.tries.delete(pj.id);
    await requeueAll(ctx, pj, "provider_refused", `The provider refused the batch job: ${f.message}`);
    await moveProviderJob(ctx, pj, "failed", { error: f.message });
  }
}

/**
 * Before giving up on a provider job whose submits kept failing: did one of them make it after
 * all (a timed-out create)? Then it runs; its records are never sent in another. False when
 * that cannot be told now (asked again after a backoff); true when nothing was made.
 */
async function nothingMadeEarlier(ctx: RunnerContext, pj: ProviderJob): Promise<boolean> {
  try {
    const found = await ctx.o.client.findByToken(pj.id, pj.createdAt, { count: pj.records });
    if (found === null) return true;
    ctx.tries.delete(pj.id);
    await moveProviderJob(ctx, pj, "running", { providerJobId: found });
    ctx.nextTry.set(pj.id, ctx.now() + ctx.o.pollMs);
    return false;
  } catch (err) {
    const f = classifyProviderError(err);
    ctx.nextTry.set(pj.id, ctx.now() + Math.max(MAX_BACKOFF_MS, f.retryAfterMs ?? 0));
    return false;
  }
}
