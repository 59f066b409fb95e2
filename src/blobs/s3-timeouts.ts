import { DocketError } from "../domain/errors.js";

/**
 * Bounds on every S3 call, so a bucket endpoint that is down, black-holed or stalls mid-body
 * fails the call (and the upload or download using it) instead of holding it forever. The AWS
 * SDK's own defaults are no limit at all on any of these.
 */
export interface S3Timeouts {
  /** TCP connect to the endpoint. */
  connectTimeoutMs: number;
  /** From sending a request (its body included) to the response headers. */
  requestTimeoutMs: number;
  /** No byte either way on the connection, response bodies included. */
  idleTimeoutMs: number;
  /** Tries per call, the first included; timeouts, 5xx and throttling are retried with backoff. */
  maxAttempts: number;
}

export const DEFAULT_S3_TIMEOUTS: Readonly<S3Timeouts> = {
  // A reachable endpoint answers a SYN in milliseconds; 10 s allows for a slow network path.
  connectTimeoutMs: 10_000,
  // An 8 MiB part must go out within this: 120 s allows ~70 KB/s.
  requestTimeoutMs: 120_000,
  // botocore's read timeout: a minute without a byte is a stalled connection.
  idleTimeoutMs: 60_000,
  // The SDK's default: bounded, and a worst case of ~3 × the timeouts above per call.
  maxAttempts: 3,
};

/** The `S3Client` settings for these limits (the SDK builds its Node HTTP handler from them). */
export function s3ClientTimeouts(t: S3Timeouts) {
  return {
    maxAttempts: t.maxAttempts,
    requestHandler: {
      connectionTimeout: t.connectTimeoutMs,
      requestTimeout: t.requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
      socketTimeout: t.idleTimeoutMs,
    },
  };
}

/** The SDK's timeout errors, named after the setting that fired; anything else unchanged. */
export function explainS3Error(err: unknown, t: S3Timeouts, what: string): unknown {
  const e = err as { name?: unknown; message?: unknown } | null | undefined;
  if (e?.name !== "TimeoutError") return err;
  const message = typeof e.message === "string" ? e.message : "";
  const which = message.includes("establish a connection")
    ? `connect within blobs.connectTimeoutMs (${t.connectTimeoutMs} ms)`
    : message.includes("inactivity")
      ? `send or receive a byte for blobs.idleTimeoutMs (${t.idleTimeoutMs} ms)`
      : `answer within blobs.requestTimeoutMs (${t.requestTimeoutMs} ms)`;
  const wrapped = new DocketError(
    "blob_store_timeout",
    `The S3 blob store did not ${which} while trying to ${what} (${t.maxAttempts} attempt(s)); check that the endpoint is up and reachable.`,
    503,
  );
  (wrapped as Error & { cause?: unknown }).cause = err;
  return wrapped;
}
