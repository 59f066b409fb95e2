/**
 * A provider job: a slice of Docket's records sent to a provider's batch API (issue 13,
 * docs/provider-batch.md). Its id (`pj_…`) is the idempotency token of every call that creates
 * something at the provider, and every state names the external step about to be taken, so a
 * process that dies at any point finds the row and knows what to look up before doing anything:
 *
 *   packing → uploading → submitting → running → ingesting → done | failed | expired | cancelled
 *
 * packing: records are being claimed and bound to it; uploading/submitting: the input is being
 * uploaded and the provider job created (`submit` is idempotent by token, `findByToken` finds it
 * after a crash); running: the provider has it (`providerJobId` set); ingesting: its results are
 * being written; the four ends are terminal.
 */
export type ProviderJobState =
  | "packing"
  | "uploading"
  | "submitting"
  | "running"
  | "ingesting"
  | "done"
  | "failed"
  | "expired"
  | "cancelled";

export const TERMINAL_PROVIDER_JOB_STATES: readonly ProviderJobState[] = [
  "done",
  "failed",
  "expired",
  "cancelled",
];

/** Non-terminal states: each holds a slot of the route's `maxJobsInFlight` once it reached the provider. */
export const OPEN_PROVIDER_JOB_STATES: readonly ProviderJobState[] = [
  "packing",
  "uploading",
  "submitting",
  "running",
  "ingesting",
];

/** Which states may follow which; anything else is a bug (or a second process racing) and is refused. */
const NEXT: Readonly<Record<ProviderJobState, readonly ProviderJobState[]>> = {
  // A packing job with no records bound (nothing was runnable) ends cancelled.
  packing: ["uploading", "cancelled", "failed"],
  // Upload failed for good, or the Docket jobs were cancelled before anything reached the provider.
  // Clients upload and create in one idempotent `submit`, so uploading may go straight to running.
  uploading: ["submitting", "running", "failed", "cancelled"],
  // The provider refused the job (validation): failed; cancelled before it was created.
  submitting: ["running", "failed", "cancelled"],
  // An ended provider job is ingested whatever its end (ended, expired, cancelled: partial results).
  running: ["ingesting", "failed"],
  ingesting: ["done", "expired", "cancelled", "failed"],
  done: [],
  failed: [],
  expired: [],
  cancelled: [],
};

export function canMoveProviderJob(from: ProviderJobState, to: ProviderJobState): boolean {
  return NEXT[from].includes(to);
}

export function isTerminalProviderJob(state: ProviderJobState): boolean {
  return TERMINAL_PROVIDER_JOB_STATES.includes(state);
}

/** The owner name a provider job's records are leased to (`records.lease_owner`). */
export function providerJobOwner(providerJobId: string): string {
  return `pj:${providerJobId}`;
}

/** One provider job as stored. */
export interface ProviderJob {
  id: string;
  /** The batch route (`openai-batch` / `anthropic-batch` / `bedrock-batch` backend) it runs on. */
  route: string;
  /** The model the provider runs it with (Bedrock names it per job). */
  model: string;
  /** The native endpoint its lines speak. */
  endpoint: string;
  state: ProviderJobState;
  /** The provider's id, once the provider made the job (recorded right after `submit`). */
  providerJobId: string | null;
  records: number;
  bytes: number;
  estimatedTokens: number;
  /** Results written so far (ingest progress) and of those, how many were sent back for another try. */
  ingested: number;
  requeued: number;
  error: string | null;
  createdAt: number;
  submittedAt: number | null;
  endedAt: number | null;
  updatedAt: number;
}
