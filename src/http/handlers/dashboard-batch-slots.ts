import { batchQuotas, isBatchBackend } from "../../config/batch-backend-config.js";
import type { RouteConfig } from "../../config/config.js";
import { OPEN_PROVIDER_JOB_STATES, type ProviderJobState } from "../../domain/provider-job.js";
import type { Store } from "../../store/store.js";

/**
 * The states in which Docket's provider job holds one of the route's `maxJobsInFlight` slots, as
 * the runner counts them (src/offload/job-slots.ts): on its way to the provider or running there.
 * An `ingesting` job has ended at the provider, so it no longer takes a slot.
 */
const SLOT_STATES: readonly ProviderJobState[] = ["packing", "uploading", "submitting", "running"];

/** More open provider jobs than any route's slots; a bound on the read, not a figure anyone sees. */
const OPEN_READ_MAX = 1000;

/** A provider batch route's slots (docs/dashboard.md, `GET /v1/dashboard/routes`, `batch`). */
export interface BatchSlotsView {
  max_jobs_in_flight: number;
  /** Provider jobs holding a slot now; null for a key that may not see every project's figures. */
  in_use: number | null;
  /** Docket's open provider jobs on the route per state; null with `in_use`. */
  by_state: Record<string, number> | null;
}

/** Null for a route that is not a provider batch route. */
export async function batchSlots(
  store: Store,
  route: RouteConfig,
  withFigures: boolean,
): Promise<BatchSlotsView | null> {
  if (!isBatchBackend(route.backend)) return null;
  const max = batchQuotas(route.backend).maxJobsInFlight;
  if (!withFigures) return { max_jobs_in_flight: max, in_use: null, by_state: null };
  const open = await store.listProviderJobs({
    states: OPEN_PROVIDER_JOB_STATES,
    route: route.name,
    limit: OPEN_READ_MAX,
  });
  const byState: Record<string, number> = Object.fromEntries(OPEN_PROVIDER_JOB_STATES.map((s) => [s, 0]));
  for (const j of open) byState[j.state] = (byState[j.state] ?? 0) + 1;
  const inUse = SLOT_STATES.reduce((n, s) => n + (byState[s] ?? 0), 0);
  return { max_jobs_in_flight: max, in_use: inUse, by_state: byState };
}
