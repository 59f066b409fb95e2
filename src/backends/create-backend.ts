import type { RouteConfig } from "../config/config.js";
import type { Backend } from "./backend.js";
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
  }
}
