/** Provider batch and hybrid route config shapes (issue 13, docs/provider-batch.md); checks in batch-backend-config.ts. */

/**
 * Quotas of a provider batch route (docs/provider-batch.md has the table and its sources); each
 * absent field takes the provider's default from `DEFAULT_BATCH_QUOTAS`.
 */
export interface BatchQuotaConfig {
  maxRecordsPerJob?: number;
  minRecordsPerJob?: number;
  maxBytesPerJob?: number;
  maxJobsInFlight?: number;
  /** Estimated tokens enqueued at once for the model (OpenAI's per-model batch queue limit). */
  maxEnqueuedTokens?: number | null;
  /** How often a provider job's status is asked for. */
  pollMs?: number;
}

/** OpenAI's Batch API (Files + Batches) — or any server speaking it, such as another Docket. */
export interface OpenAIBatchBackendConfig extends BatchQuotaConfig {
  type: "openai-batch";
  /** Including `/v1`, e.g. https://api.openai.com/v1. */
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

/** Anthropic's Message Batches API. */
export interface AnthropicBatchBackendConfig extends BatchQuotaConfig {
  type: "anthropic-batch";
  baseUrl?: string;
  apiKey?: string;
  version?: string;
  headers?: Record<string, string>;
}

/** Amazon Bedrock batch inference: input and output on S3, jobs on the control plane. */
export interface BedrockBatchBackendConfig extends BatchQuotaConfig {
  type: "bedrock-batch";
  region?: string;
  /** Control-plane endpoint override (tests, VPC endpoints). */
  endpoint?: string;
  s3: { bucket: string; prefix?: string; endpoint?: string; forcePathStyle?: boolean; region?: string };
  /** The service role Bedrock assumes to read the input and write the output. */
  roleArn: string;
  modelId?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

export type BatchBackendConfig =
  | OpenAIBatchBackendConfig
  | AnthropicBatchBackendConfig
  | BedrockBatchBackendConfig;

/**
 * A hybrid route: a job goes to `batchRoute` when its window leaves room for the provider's
 * turnaround and it is big enough, else to `onlineRoute`; near the end of its window what still
 * waits at the provider is pulled back and run on-demand (docs/provider-batch.md, "Hybrid routing").
 */
export interface AutoBackendConfig {
  type: "auto";
  batchRoute: string;
  onlineRoute: string;
  /** The provider's turnaround to assume until provider jobs have been observed (default 24 h). */
  turnaroundMs?: number;
  /** Fewer records than this run on-demand (default 100). */
  minBatchRecords?: number;
  /** This long before the job's window ends, what waits at the provider is pulled back (default 2 h). */
  onlineFallbackBeforeMs?: number;
}
