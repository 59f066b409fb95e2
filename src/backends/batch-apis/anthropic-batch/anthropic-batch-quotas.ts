import type { BatchQuotas } from "../batch-api-client.js";

/**
 * Anthropic's documented Message Batches limits (docs.anthropic.com/en/docs/build-with-claude/
 * batch-processing, "Batch limitations"): at most 100,000 requests or 256 MB per batch,
 * whichever comes first. How many batch requests may wait at once is a rate limit per usage tier
 * (“batch requests in the processing queue”), not a number of batches; `maxJobsInFlight` is
 * Docket's own bound. MB here is 10^6 bytes, which leaves room for the `{"requests":[…]}` wrapper.
 */
export const ANTHROPIC_BATCH_QUOTAS: BatchQuotas = {
  maxRecordsPerJob: 100_000,
  minRecordsPerJob: 1,
  maxBytesPerJob: 256_000_000,
  maxJobsInFlight: 10,
  maxEnqueuedTokens: null,
};
