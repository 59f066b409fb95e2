import type { ProviderJob, ProviderJobState } from "../domain/provider-job.js";
import { ingestResults } from "./ingest-results.js";
import { classifyProviderError } from "./provider-error.js";
import { moveProviderJob, type RunnerContext } from "./runner-context.js";

/**
 * Ingests an ended provider job's results (exactly once, fenced: ingest-results.ts), then moves
 * it to the terminal state the provider's answers to. A failure leaves it in `ingesting`, tried
 * again soon; what was written stays written.
 */
export async function ingestProviderJob(ctx: RunnerContext, pj: ProviderJob, known?: string): Promise<void> {
  const { o } = ctx;
  let state = known;
  try {
    state ??= (await o.client.status(pj.providerJobId!)).state;
    const batches = ctx.results.read({ providerJobId: pj.providerJobId!, records: pj.records });
    const counts = await ingestResults(o.store, o.client, batches, pj, state, ctx.now);
    o.log?.(
      `provider batch ${o.route}: ${pj.id} ingested ${counts.accepted} results (${counts.requeued} to send again)`,
    );
  } catch (err) {
    const f = classifyProviderError(err);
    ctx.nextTry.set(pj.id, ctx.now() + Math.min(o.pollMs, 5_000));
    o.log?.(`provider batch ${o.route}: ingest of ${pj.id} will be retried: ${f.message}`);
    return;
  } finally {
    o.onChange?.();
  }
  await moveProviderJob(ctx, pj, terminalStateOf(state));
  ctx.cancelAsked.delete(pj.id);
  ctx.nextTry.delete(pj.id);
}

function terminalStateOf(providerState: string): ProviderJobState {
  if (providerState === "expired" || providerState === "cancelled" || providerState === "failed")
    return providerState;
  return "done";
}
