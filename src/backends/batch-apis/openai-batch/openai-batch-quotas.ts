import type { BatchQuotas } from "../batch-api-client.js";

/**
 * OpenAI's documented Batch API limits (platform.openai.com/docs/guides/batch, "Rate limits"):
 * a batch holds at most 50,000 requests and its input file at most 200 MB. The number of
 * batches is not limited by OpenAI but the tokens enqueued per model are (a figure per usage
 * tier, e.g. 90,000 for gpt-4o at tier 1); that is the route's `maxEnqueuedTokens`, unknown
 * (null) unless configured. MB here is 10^6 bytes, the smaller reading.
 */
export const OPENAI_BATCH_QUOTAS: BatchQuotas = {
  maxRecordsPerJob: 50_000,
  minRecordsPerJob: 1,
  maxBytesPerJob: 200_000_000,
  maxJobsInFlight: 10,
  maxEnqueuedTokens: null,
};
