import { DocketError } from "../domain/errors.js";
import type { AutoBackendConfig, BatchBackendConfig, BatchQuotaConfig } from "./batch-backend-types.js";
import type { BackendConfig, RouteConfig } from "./config.js";
import { resolveSecretRef } from "./secret-ref.js";

export type {
  AnthropicBatchBackendConfig,
  AutoBackendConfig,
  BatchBackendConfig,
  BatchQuotaConfig,
  BedrockBatchBackendConfig,
  OpenAIBatchBackendConfig,
} from "./batch-backend-types.js";

export type ResolvedQuotas = Required<Omit<BatchQuotaConfig, "maxEnqueuedTokens">> & {
  maxEnqueuedTokens: number | null;
};

/**
 * Each provider's documented defaults (sources in docs/provider-batch.md), as the clients hold
 * them (`<provider>-batch-quotas.ts` in src/backends/batch-apis/, which packing uses); here for config checks and `pollMs`.
 */
export const DEFAULT_BATCH_QUOTAS: Record<BatchBackendConfig["type"], ResolvedQuotas> = {
  "openai-batch": {
    maxRecordsPerJob: 50_000,
    minRecordsPerJob: 1,
    maxBytesPerJob: 200_000_000,
    maxJobsInFlight: 10,
    maxEnqueuedTokens: null,
    pollMs: 60_000,
  },
  "anthropic-batch": {
    maxRecordsPerJob: 100_000,
    minRecordsPerJob: 1,
    maxBytesPerJob: 256_000_000,
    maxJobsInFlight: 10,
    maxEnqueuedTokens: null,
    pollMs: 60_000,
  },
  "bedrock-batch": {
    maxRecordsPerJob: 50_000,
    minRecordsPerJob: 100,
    maxBytesPerJob: 1024 * 1024 * 1024,
    maxJobsInFlight: 10,
    maxEnqueuedTokens: null,
    pollMs: 60_000,
  },
};

export const AUTO_DEFAULTS = {
  turnaroundMs: 24 * 3_600_000,
  minBatchRecords: 100,
  onlineFallbackBeforeMs: 2 * 3_600_000,
};

export function isBatchBackend(b: BackendConfig): b is BatchBackendConfig {
  return b.type === "openai-batch" || b.type === "anthropic-batch" || b.type === "bedrock-batch";
}

/** Routes whose records a worker sends itself (not a provider batch route, not an `auto` pair). */
export function isOnDemandRoute(r: RouteConfig): boolean {
  return !isBatchBackend(r.backend) && r.backend.type !== "auto";
}

/** A batch route's quotas: configured values over the provider's defaults. */
export function batchQuotas(b: BatchBackendConfig): ResolvedQuotas {
  const d = DEFAULT_BATCH_QUOTAS[b.type];
  return {
    maxRecordsPerJob: b.maxRecordsPerJob ?? d.maxRecordsPerJob,
    minRecordsPerJob: b.minRecordsPerJob ?? d.minRecordsPerJob,
    maxBytesPerJob: b.maxBytesPerJob ?? d.maxBytesPerJob,
    maxJobsInFlight: b.maxJobsInFlight ?? d.maxJobsInFlight,
    maxEnqueuedTokens: b.maxEnqueuedTokens === undefined ? d.maxEnqueuedTokens : b.maxEnqueuedTokens,
    pollMs: b.pollMs ?? d.pollMs,
  };
}

const positiveInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0;

/** Checks a batch backend's fields (naming the one at fault) and resolves its `env:NAME` secrets. */
export function checkBatchBackend(b: BatchBackendConfig, where: string): BatchBackendConfig {
  for (const k of [
    "maxRecordsPerJob",
    "minRecordsPerJob",
    "maxBytesPerJob",
    "maxJobsInFlight",
    "pollMs",
  ] as const) {
    if (b[k] !== undefined && !positiveInt(b[k]))
      throw new DocketError("invalid_config", `${where}.${k} must be a positive integer.`);
  }
  if (b.maxEnqueuedTokens !== undefined && b.maxEnqueuedTokens !== null && !positiveInt(b.maxEnqueuedTokens))
    throw new DocketError("invalid_config", `${where}.maxEnqueuedTokens must be a positive integer or null.`);
  const q = batchQuotas(b);
  if (q.minRecordsPerJob > q.maxRecordsPerJob)
    throw new DocketError("invalid_config", `${where}.minRecordsPerJob must not exceed maxRecordsPerJob.`);
  if (b.type === "openai-batch") {
    if (typeof b.baseUrl !== "string" || !/^https?:\/\//.test(b.baseUrl))
      throw new DocketError(
        "invalid_config",
        `${where}.baseUrl must be an http(s) URL such as https://api.openai.com/v1.`,
      );
  } else if (b.type === "anthropic-batch") {
    if (b.baseUrl !== undefined && (typeof b.baseUrl !== "string" || !/^https?:\/\//.test(b.baseUrl)))
      throw new DocketError(
        "invalid_config",
        `${where}.baseUrl must be an http(s) URL such as https://api.anthropic.com.`,
      );
  } else {
    if (!b.s3 || typeof b.s3 !== "object" || typeof b.s3.bucket !== "string" || b.s3.bucket === "")
      throw new DocketError(
        "invalid_config",
        `${where}.s3.bucket must name the S3 bucket for input and output.`,
      );
    if (typeof b.roleArn !== "string" || !b.roleArn.startsWith("arn:"))
      throw new DocketError(
        "invalid_config",
        `${where}.roleArn must be the ARN of the role Bedrock assumes.`,
      );
    return {
      ...b,
      ...(b.accessKeyId ? { accessKeyId: resolveSecretRef(b.accessKeyId, `${where}.accessKeyId`) } : {}),
      ...(b.secretAccessKey
        ? { secretAccessKey: resolveSecretRef(b.secretAccessKey, `${where}.secretAccessKey`) }
        : {}),
      ...(b.sessionToken ? { sessionToken: resolveSecretRef(b.sessionToken, `${where}.sessionToken`) } : {}),
    };
  }
  if (typeof b.apiKey === "string") return { ...b, apiKey: resolveSecretRef(b.apiKey, `${where}.apiKey`) };
  return b;
}

/** Checks an `auto` backend's own fields; `checkAutoRoutes` checks the pair once every route is known. */
export function checkAutoBackend(b: AutoBackendConfig, where: string): AutoBackendConfig {
  if (typeof b.batchRoute !== "string" || typeof b.onlineRoute !== "string")
    throw new DocketError(
      "invalid_config",
      `${where}.batchRoute and ${where}.onlineRoute must name two routes.`,
    );
  for (const k of ["turnaroundMs", "minBatchRecords", "onlineFallbackBeforeMs"] as const) {
    if (b[k] !== undefined && !positiveInt(b[k]))
      throw new DocketError("invalid_config", `${where}.${k} must be a positive integer.`);
  }
  return b;
}

/** Every `auto` route pairs an existing batch route with an existing on-demand route. */
export function checkAutoRoutes(routes: RouteConfig[]): void {
  const byName = new Map(routes.map((r) => [r.name, r]));
  routes.forEach((r, i) => {
    if (r.backend.type !== "auto") return;
    const where = `routes[${i}].backend`;
    const batch = byName.get(r.backend.batchRoute);
    if (!batch || !isBatchBackend(batch.backend))
      throw new DocketError(
        "invalid_config",
        `${where}.batchRoute '${r.backend.batchRoute}' must name a route with an openai-batch, anthropic-batch or bedrock-batch backend.`,
      );
    const online = byName.get(r.backend.onlineRoute);
    if (!online || !isOnDemandRoute(online))
      throw new DocketError(
        "invalid_config",
        `${where}.onlineRoute '${r.backend.onlineRoute}' must name a route with an on-demand backend (openai, anthropic, bedrock, llamacpp).`,
      );
  });
}
