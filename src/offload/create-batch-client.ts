import { AnthropicBatchClient } from "../backends/batch-apis/anthropic-batch/anthropic-batch-client.js";
import type { BatchApiClient } from "../backends/batch-apis/batch-api-client.js";
import { BedrockBatchClient } from "../backends/batch-apis/bedrock-batch/bedrock-batch-client.js";
import { OpenAiBatchClient } from "../backends/batch-apis/openai-batch/openai-batch-client.js";
import type { BatchBackendConfig } from "../config/batch-backend-config.js";
import { type BatchClientSpec, batchClientSpec } from "./batch-client-spec.js";

/** The client for a route's provider batch backend (batch-client-spec.ts maps the config). */
export function createBatchApiClient(b: BatchBackendConfig): BatchApiClient {
  return clientOfSpec(batchClientSpec(b));
}

export function clientOfSpec(spec: BatchClientSpec): BatchApiClient {
  switch (spec.kind) {
    case "openai-batch":
      return new OpenAiBatchClient(spec.options);
    case "bedrock-batch":
      return new BedrockBatchClient(spec.options);
    case "anthropic-batch":
      return new AnthropicBatchClient(spec.options);
  }
}
