import type { Job } from "../domain/job.js";

/**
 * Bedrock's `manifest.json.out`, the summary it writes next to a batch job's outputs
 * (docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html), field for field.
 */
export interface BedrockManifest {
  totalRecordCount: number;
  processedRecordCount: number;
  successRecordCount: number;
  errorRecordCount: number;
  inputTokenCount: number;
  outputTokenCount: number;
}

/**
 * The manifest of a Bedrock-format job from its counters. Processed records are those that ran to
 * an answer or a failure; records a cancel, a budget stop or the completion window kept from
 * running are in the `.out` file with an error but are not processed (total − processed of them),
 * as a stopped Bedrock job reports fewer processed than submitted. Tokens are the backend's usage
 * summed over successful records.
 */
export function bedrockManifest(job: Pick<Job, "counts" | "tally" | "usage">): BedrockManifest {
  return {
    totalRecordCount: job.counts.total,
    processedRecordCount: job.tally.succeeded + job.tally.failed,
    successRecordCount: job.tally.succeeded,
    errorRecordCount: job.tally.failed,
    inputTokenCount: job.usage.inputTokens,
    outputTokenCount: job.usage.outputTokens,
  };
}
