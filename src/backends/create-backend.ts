import { staticAwsCredentials } from "../config/aws-credentials.js";
import type { RouteConfig } from "../config/config.js";
import { AnthropicBackend } from "./anthropic/anthropic-backend.js";
import type { Backend } from "./backend.js";
import { LazyBackend } from "./lazy-backend.js";
import { LlamaCppBackend } from "./llamacpp/llamacpp-backend.js";
import { OpenAICompatibleBackend } from "./openai-compatible/openai-compatible-backend.js";

/** The one place that knows every backend type named in the config. */
export function createBackend(route: RouteConfig): Backend {
  const b = route.backend;
  switch (b.type) {
    case "openai":
      return new OpenAICompatibleBackend({
        baseUrl: b.baseUrl,
        apiKey: b.apiKey,
        headers: b.headers,
        concurrency: route.concurrency,
        timeoutMs: route.timeoutMs,
        headersTimeoutMs: route.headersTimeoutMs,
        bodyTimeoutMs: route.bodyTimeoutMs,
      });
    case "llamacpp":
      return new LlamaCppBackend({ modelPath: b.model, contexts: b.contexts, contextSize: b.contextSize });
    case "anthropic":
      return new AnthropicBackend({
        baseUrl: b.baseUrl,
        apiKey: b.apiKey,
        version: b.version,
        headers: b.headers,
        concurrency: route.concurrency,
        timeoutMs: route.timeoutMs,
        headersTimeoutMs: route.headersTimeoutMs,
        bodyTimeoutMs: route.bodyTimeoutMs,
      });
    case "bedrock":
      // The AWS SDK is loaded with the route's first request, not with every start-up.
      return new LazyBackend(async () => {
        const { BedrockBackend } = await import("./bedrock/bedrock-backend.js");
        return new BedrockBackend({
          region: b.region,
          endpoint: b.endpoint,
          credentials: staticAwsCredentials(b),
          modelId: b.modelId,
          concurrency: route.concurrency,
          timeoutMs: route.timeoutMs,
        });
      });
    // Provider batch and hybrid routes are run by src/offload/, never by a worker's backend.
    case "openai-batch":
    case "anthropic-batch":
    case "bedrock-batch":
    case "auto":
      throw new Error(`Route '${route.name}' (${b.type}) is run by provider batch jobs, not by a worker.`);
  }
}
