import { AnthropicBatchClient } from "../backends/batch-apis/anthropic-batch/anthropic-batch-client.js";
import type { BatchApiClient, BatchQuotas } from "../backends/batch-apis/batch-api-client.js";
import { BedrockBatchClient } from "../backends/batch-apis/bedrock-batch/bedrock-batch-client.js";
import { OpenAiBatchClient } from "../backends/batch-apis/openai-batch/openai-batch-client.js";
import { staticAwsCredentials } from "../config/aws-credentials.js";
import type { BatchBackendConfig, BatchQuotaConfig } from "../config/batch-backend-config.js";

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

/** The one place that knows every provider batch backend type named in the config. */
export function createBatchApiClient(b: BatchBackendConfig): BatchApiClient {
  const quotas = quotaOverrides(b);
  switch (b.type) {
    case "openai-batch":
      return new OpenAiBatchClient({ baseUrl: b.baseUrl, apiKey: b.apiKey, headers: b.headers, quotas });
    case "bedrock-batch":
      return new BedrockBatchClient({
        region: b.region,
        endpoint: b.endpoint,
        credentials: staticAwsCredentials(b),
        s3: b.s3,
        roleArn: b.roleArn,
        modelId: b.modelId,
        quotas,
      });
    case "anthropic-batch":
      return new AnthropicBatchClient({
        baseUrl: b.baseUrl,
        apiKey: b.apiKey,
        version: b.version,
        headers: b.headers,
        quotas,
      });
  }
}
