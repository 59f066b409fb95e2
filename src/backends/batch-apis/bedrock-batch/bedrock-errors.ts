import { DocketError } from "../../../domain/errors.js";

/**
 * A Bedrock control-plane error as a DocketError the provider-job loop can act on:
 * `provider_throttled` (429: ThrottlingException, ServiceQuotaExceededException — back off and
 * submit later), `provider_refused` (400: the request or the account's setup is wrong — retrying
 * will not help) and `provider_unavailable` (503: Bedrock's own failure or the network — retry).
 */
export function explainBedrockError(err: unknown, action: string): DocketError {
  if (err instanceof DocketError) return err;
  const e = (err ?? {}) as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
  const name = typeof e.name === "string" ? e.name : "Error";
  const detail = typeof e.message === "string" && e.message !== "" ? e.message : name;
  const status = e.$metadata?.httpStatusCode;
  const message = `Bedrock could not ${action}: ${name}: ${detail}`;
  if (name === "ThrottlingException" || name === "ServiceQuotaExceededException" || status === 429) {
    return new DocketError("provider_throttled", message, 429);
  }
  if (
    name === "ValidationException" ||
    name === "AccessDeniedException" ||
    name === "ResourceNotFoundException" ||
    name === "ConflictException" ||
    (status !== undefined && status >= 400 && status < 500)
  ) {
    return new DocketError("provider_refused", message, 400);
  }
  return new DocketError("provider_unavailable", message, 503);
}

export function errorName(err: unknown): string | undefined {
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : undefined;
}
