import type { ProviderJob, ProviderJobState } from "../domain/provider-job.js";
import { num } from "./rows.js";

/** A provider_jobs row as either engine returns it (BIGINTs may arrive as strings from PostgreSQL). */
export interface ProviderJobRow {
  id: string;
  route: string;
  model: string;
  endpoint: string;
  state: string;
  provider_job_id: string | null;
  records: number | string;
  bytes: number | string;
  estimated_tokens: number | string;
  ingested: number | string;
  requeued: number | string;
  error: string | null;
  created_at: number | string;
  submitted_at: number | string | null;
  ended_at: number | string | null;
  updated_at: number | string;
}

const numOrNull = (v: number | string | null): number | null => (v === null ? null : num(v));

export function providerJobFromRow(r: ProviderJobRow): ProviderJob {
  return {
    id: r.id,
    route: r.route,
    model: r.model,
    endpoint: r.endpoint,
    state: r.state as ProviderJobState,
    providerJobId: r.provider_job_id,
    records: num(r.records),
    bytes: num(r.bytes),
    estimatedTokens: num(r.estimated_tokens),
    ingested: num(r.ingested),
    requeued: num(r.requeued),
    error: r.error,
    createdAt: num(r.created_at),
    submittedAt: numOrNull(r.submitted_at),
    endedAt: numOrNull(r.ended_at),
    updatedAt: num(r.updated_at),
  };
}

/**
 * A bound record's lease: far beyond any clock, so no sweep by time ever takes it back (and the
 * sweeps also skip `lease_owner = 'pj:' || provider_job_id` outright, for `expireAllLeases`).
 */
export const BOUND_LEASE_UNTIL = 8_640_000_000_000_000;

/** SQL (both engines): true for a running record NOT held by a provider job; `r` is the records alias. */
export const NOT_PROVIDER_HELD_SQL =
  "(r.provider_job_id IS NULL OR r.lease_owner IS NULL OR r.lease_owner <> 'pj:' || r.provider_job_id)";
