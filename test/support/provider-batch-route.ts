import type { RouteConfig } from "../../src/config/config.js";
import type { TestDocket } from "./test-docket.js";

/**
 * An `openai-batch` route whose provider is another test Docket (its OpenAI Batch API over the
 * fake model): one provider job at a time, polled fast. `o` changes what a test needs (name,
 * models, attempts, dedup …).
 */
export function providerBatchRoute(provider: TestDocket, o: Partial<RouteConfig> = {}): RouteConfig {
  return {
    name: "batch",
    models: ["fake-*"],
    backend: { type: "openai-batch", baseUrl: `${provider.docket.url}/v1`, apiKey: "test", pollMs: 50 },
    concurrency: 1,
    timeoutMs: 60_000,
    maxAttempts: 12,
    ...o,
  };
}
