import type { AnthropicBatchClientOptions } from "../backends/batch-apis/anthropic-batch/anthropic-batch-client.js";
import type { BatchQuotas } from "../backends/batch-apis/batch-api-client.js";
import type { BedrockBatchClientOptions } from "../backends/batch-apis/bedrock-batch/bedrock-batch-client.js";
import type { OpenAiBatchClientOptions } from "../backends/batch-apis/openai-batch/openai-batch-client.js";
import { staticAwsCredentials } from "../config/aws-credentials.js";
import type { BatchBackendConfig, BatchQuotaConfig } from "../config/batch-backend-config.js";

/**
 * Which batch client a route's backend makes, with the options its constructor takes: plain
 * data, so that a results thread (results-thread.ts) can build the same client as the route's
 * runner without loading the other providers' clients (the AWS SDK alone takes ~0.6 s).
 */
export type BatchClientSpec =
  | { kind: "openai-batch"; options: OpenAiBatchClientOptions }
  | { kind: "anthropic-batch"; options: AnthropicBatchClientOptions }
  | { kind: "bedrock-batch"; options: BedrockBatchClientOptions };

/** The quotas a route's config sets; the client fills the rest with its provider's documented figures. */
function quotaOverrides(b: BatchQuotaConfig): Partial<BatchQuotas> {
  const q: Partial<BatchQuotas> = {};
  if (b.maxRecordsPerJob !== undefined) q.maxRecordsPerJob = b.maxRecordsPerJob;
  if (b.minRecordsPerJob !== undefined) q.minRecordsPerJob = b.minRecordsPerJob;
  if (b.maxBytesPerJob !== undefined) q.maxBytesPerJob = b.maxBytesPerJob;
  if (b.maxJobsInFlight !== undefined) q.maxJobsInFlight = b.maxJobsInFlight;
  if (b.maxEnqueuedTokens !== undefined) q.maxEnqueuedTokens = b.maxEnqueuedTokens;
  return q;
}

/** The one place that maps every provider batch backend type named in the config to its client. */
export function batchClientSpec(b: BatchBackendConfig): BatchClientSpec {
  const quotas = quotaOverrides(b);
  switch (b.type) {
    case "openai-batch":
      return {
        kind: b.type,
        options: { baseUrl: b.baseUrl, apiKey: b.apiKey, headers: b.headers, quotas },
      };
    case "bedrock-batch":
      return {
        kind: b.type,
        options: {
          region: b.region,
          endpoint: b.endpoint,
          credentials: staticAwsCredentials(b),
          s3: b.s3,
          roleArn: b.roleArn,
          modelId: b.modelId,
          quotas,
        },
      };
    case "anthropic-batch":
      return {
        kind: b.type,
        options: { baseUrl: b.baseUrl, apiKey: b.apiKey, version: b.version, headers: b.headers, quotas },
      };
  }
}
