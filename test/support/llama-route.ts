import { join } from "node:path";
import type { RouteConfig } from "../../src/config/config.js";
import { createDummyModel } from "../../src/gguf/create-dummy-model.js";

/** Where tinyLlamaRoute's model lives in a data directory. */
export const tinyModelPath = (dataDir: string) => join(dataDir, "tiny.gguf");

/**
 * A route serving the model `tiny` on the in-process llama.cpp engine, from a dummy GGUF in
 * `dataDir` (loaded on first use: write it with writeTinyModel before the first request).
 */
export function tinyLlamaRoute(dataDir: string, o: Partial<RouteConfig> = {}): RouteConfig {
  return {
    name: "tiny",
    models: ["tiny"],
    backend: { type: "llamacpp", model: tinyModelPath(dataDir), contexts: 2 },
    concurrency: 2,
    timeoutMs: 60_000,
    maxAttempts: 3,
    ...o,
  };
}

/** The dummy model (random weights: random tokens) that tinyLlamaRoute serves. */
export async function writeTinyModel(dataDir: string, seed: number): Promise<void> {
  await createDummyModel(tinyModelPath(dataDir), { size: "tiny", seed });
}
