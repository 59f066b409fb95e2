import type { Invocation, NewInvocation } from "../domain/invocation.js";

/** Async invocations (src/invocations, migration 0003): one-record jobs with an idempotency key. */
export interface InvocationStore {
  /**
   * Creates an invocation job (in_progress, priority above batches, one pending record) in one
   * transaction. If `inferenceId` is already taken, nothing is written and the existing
   * invocation is returned with `created: false` (the caller's id is an idempotency key).
   */
  insertInvocation(invocation: NewInvocation): Promise<{ invocation: Invocation; created: boolean }>;
  /** By job id, or else by the caller's inference id. */
  getInvocation(idOrInferenceId: string): Promise<Invocation | undefined>;
  /**
   * Invocations waiting in the store (pending: not started, or waiting for a retry) once `now`
   * ≥ their TTL: the record becomes `expired` with code `request_ttl_expired` and the job goes
   * to finalizing with end `expired`. Returns their ids.
   */
  expireInvocations(now: number): Promise<string[]>;
}
