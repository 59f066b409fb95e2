import type { BackendFailure, BackendResult, BackendSuccess } from "../../src/backends/backend.js";

/** The result as a success, or a thrown error that says what came instead. */
export function success(result: BackendResult): BackendSuccess {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result;
}

/** The result as a failure, or a thrown error naming the status that came instead. */
export function failure(result: BackendResult): BackendFailure {
  if (result.ok) throw new Error(`expected failure, got ${result.statusCode}`);
  return result;
}
