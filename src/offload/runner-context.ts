import type { BatchApiClient } from "../backends/batch-apis/batch-api-client.js";
import type { ModelPricing } from "../budget/job-pricing.js";
import { canMoveProviderJob, type ProviderJob, type ProviderJobState } from "../domain/provider-job.js";
import type { Store } from "../store/store.js";
import type { BatchClientSpec } from "./batch-client-spec.js";
import { ResultsReader } from "./results-reader.js";

export interface ProviderBatchRunnerOptions {
  store: Store;
  /** The batch route's name (its records are the ones this runner sends). */
  route: string;
  client: BatchApiClient;
  /** How `client` was made (batch-client-spec.ts): large jobs' results are then read on a thread with the same client. Absent: in-process. */
  clientSpec?: BatchClientSpec;
  /** How often a running provider job's status is asked for. */
  pollMs: number;
  /** The model for providers that name it per job (Bedrock), when the route fixes it; else the job's. */
  modelId?: string;
  /** Prices for job budgets before submission (`routePricing(routes)`); default: the built-in table. */
  pricing?: ModelPricing;
  now?: () => number;
  /** Records were written or given back: wake whoever waits (finalizing, the worker). */
  onChange?: () => void;
  /** A provider job ended: how long the provider took (hybrid routing learns its turnaround). */
  onTurnaround?: (ms: number) => void;
  log?: (line: string) => void;
}

/** Records read or claimed per page while packing, submitting or moving bound records. */
export const CLAIM_CHUNK = 1_000;

/**
 * What one route's runner knows between steps, shared by its step files (packing, submit, poll,
 * ingest, record moves). Nothing here is stored: after a restart every step starts from the row.
 */
export interface RunnerContext {
  readonly o: ProviderBatchRunnerOptions;
  readonly now: () => number;
  /** When each provider job may next be polled or submitted (after a restart, at once). */
  readonly nextTry: Map<string, number>;
  /** Retryable submit refusals in a row, per provider job. */
  readonly tries: Map<string, number>;
  /** Provider jobs whose cancel was asked of the provider already. */
  readonly cancelAsked: Set<string>;
  /** Provider jobs packed by this process and not yet submitted once. */
  readonly freshlyPacked: Set<string>;
  /** A Docket job's model, cached while packing (bounded: cleared past 10,000 jobs). */
  readonly modelOfJob: Map<string, string>;
  /** Until when a "no free slot" answer holds (the provider's count is not asked every pass). */
  slotsCheckedUntil: number;
  /** Where ingest reads results from (in-process, or a thread for large provider jobs). */
  readonly results: ResultsReader;
}

export function newRunnerContext(o: ProviderBatchRunnerOptions): RunnerContext {
  return {
    o,
    now: o.now ?? Date.now,
    nextTry: new Map(),
    tries: new Map(),
    cancelAsked: new Set(),
    freshlyPacked: new Set(),
    modelOfJob: new Map(),
    slotsCheckedUntil: 0,
    results: new ResultsReader({ client: o.client, spec: o.clientSpec ?? null }),
  };
}

/** Moves a provider job (compare-and-set on its state); the row as it now is, or null when it had moved on. */
export async function moveProviderJob(
  ctx: RunnerContext,
  pj: ProviderJob,
  to: ProviderJobState,
  learnt?: { providerJobId?: string; error?: string },
): Promise<ProviderJob | null> {
  if (!canMoveProviderJob(pj.state, to))
    throw new Error(`provider job ${pj.id}: ${pj.state} → ${to} is not a transition`);
  const ok = await ctx.o.store.moveProviderJob(pj.id, pj.state, to, ctx.now(), learnt);
  if (!ok) return null;
  return (await ctx.o.store.getProviderJob(pj.id)) ?? null;
}
