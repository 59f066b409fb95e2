import type { BatchApiClient } from "../backends/batch-apis/batch-api-client.js";
import type { ProviderJob } from "../domain/provider-job.js";
import { dropCancelled } from "./bound-record-moves.js";
import { ingestProviderJob } from "./ingest-provider-job.js";
import { classifyProviderError } from "./provider-error.js";
import { moveProviderJob, type RunnerContext } from "./runner-context.js";

/**
 * Asks the provider how a running provider job stands. While it runs, records of stopped Docket
 * jobs are dropped (with none left, the provider job is cancelled); once it ended, it moves to
 * `ingesting` and its results are ingested.
 */
export async function pollProviderJob(ctx: RunnerContext, pj: ProviderJob): Promise<void> {
  const { o } = ctx;
  let status: Awaited<ReturnType<BatchApiClient["status"]>>;
  try {
    status = await o.client.status(pj.providerJobId!);
  } catch (err) {
    const f = classifyProviderError(err);
    ctx.nextTry.set(pj.id, ctx.now() + Math.max(o.pollMs, f.retryAfterMs ?? 0));
    o.log?.(`provider batch ${o.route}: status of ${pj.id} unknown: ${f.message}`);
    return;
  }
  const ended = ["ended", "failed", "expired", "cancelled"].includes(status.state);
  if (!ended) {
    if (
      (await dropCancelled(ctx, pj)) === 0 &&
      !ctx.cancelAsked.has(pj.id) &&
      status.state !== "cancelling"
    ) {
      ctx.cancelAsked.add(pj.id);
      await o.client
        .cancel(pj.providerJobId!)
        .catch((err) =>
          o.log?.(
            `provider batch ${o.route}: cancel of ${pj.id} failed: ${classifyProviderError(err).message}`,
          ),
        );
    }
    ctx.nextTry.set(pj.id, ctx.now() + o.pollMs);
    return;
  }
  if (pj.submittedAt !== null && status.state === "ended") o.onTurnaround?.(ctx.now() - pj.submittedAt);
  ctx.slotsCheckedUntil = 0; // a slot was freed: look for work at once
  o.log?.(`provider batch ${o.route}: ${pj.id} ended at the provider (${status.state}); ingesting`);
  const moved = await moveProviderJob(
    ctx,
    pj,
    "ingesting",
    status.error ? { error: status.error } : undefined,
  );
  if (moved) await ingestProviderJob(ctx, moved, status.state);
}
