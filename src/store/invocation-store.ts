import type { Invocation, NewInvocation } from "../domain/invocation.js";

/** Async invocations (src/invocations, migration 0003): one-record jobs with an idempotency key. */
export interface InvocationStore {
  /**
   * Creates an invocation job (in_progress, priority above batches, one pending record) in one
   * transaction. If `inferenceId` is already taken in its project, nothing is written and the
   * existing invocation is returned with `created: false` (the caller's id is an idempotency key
   * within a project: another project's same id is another invocation).
   */
  insertInvocation(invocation: NewInvocation): Promise<{ invocation: Invocation; created: boolean }>;
  /**
   * By job id, or else by the caller's inference id within `projectId` (absent: by job id only).
   * The job id finds any project's invocation: callers that serve a project check its `job.projectId`.
   */
  getInvocation(idOrInferenceId: string, projectId?: string): Promise<Invocation | undefined>;
  /**
   * Invocations waiting in the store (pending: not started, or waiting for a retry) once `now`
   * ≥ their TTL: the record becomes `expired` with code `request_ttl_expired` and the job goes
   * to finalizing with end `expired`. Returns their ids.
   */
  expireInvocations(now: number): Promise<string[]>;
}
