import type { Backend, BackendResult } from "../backends/backend.js";
import { BridgeError } from "../bridge/bridge-error.js";
import type { Bridge } from "../bridge/plan-bridge.js";

/**
 * Sends one record through a bridge: the body translated into the backend's dialect, a
 * successful answer translated back into the user's. Failures pass through as the backend gave
 * them. A body the bridge refuses (validation should have caught it) or an answer it cannot read
 * fails the record for good: trying again would fail the same way.
 */
export async function sendBridged(
  backend: Backend,
  bridge: Bridge,
  bodyText: string,
  signal: AbortSignal,
): Promise<BackendResult> {
  let native: ReturnType<Bridge["toNative"]>;
  try {
    native = bridge.toNative(bodyText);
  } catch (error) {
    return bridgeFailure(error, "unsupported_by_route", null, null);
  }
  const result = await backend.send({ endpoint: native.endpoint, body: native.body, signal });
  if (!result.ok) return result;
  try {
    // The backend's own result object, its body swapped (not `{...result, body}`: on Node 20 a
    // spread takes V8's slow path, and this runs for every record of a bridged route).
    result.body = native.fromNative(result.body, result.requestId);
    return result;
  } catch (error) {
    return bridgeFailure(error, "untranslatable_response", result.statusCode, result.body, result.requestId);
  }
}

export function bridgeFailure(
  error: unknown,
  code: string,
  statusCode: number | null,
  body: string | null,
  requestId: string | null = null,
): BackendResult {
  if (!(error instanceof BridgeError)) throw error;
  const message =
    code === "untranslatable_response"
      ? `The backend's answer could not be translated back: ${error.message}`
      : `The request cannot be bridged to this route: ${error.message}`;
  return { ok: false, retryable: false, retryAfterMs: null, statusCode, requestId, body, code, message };
}
