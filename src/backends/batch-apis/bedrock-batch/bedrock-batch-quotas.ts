import type { BatchQuotas } from "../batch-api-client.js";

/**
 * Bedrock's documented service quotas for batch inference ("Amazon Bedrock endpoints and
 * quotas", AWS General Reference; adjustable in Service Quotas): "Minimum number of records per
 * batch inference job" 100; "Records per batch inference job" 50,000 (lower for some models);
 * "Batch inference input file size" 1 GB (Docket writes one input file per job, so the file
 * limit is the job limit); "Sum of in-progress and submitted batch inference jobs using a base
 * model" about 10 per model per Region. Bedrock has no enqueued-token limit.
 */
export const BEDROCK_BATCH_QUOTAS: Readonly<BatchQuotas> = {
  maxRecordsPerJob: 50_000,
  minRecordsPerJob: 100,
  maxBytesPerJob: 1024 * 1024 * 1024,
  maxJobsInFlight: 10,
  maxEnqueuedTokens: null,
};
