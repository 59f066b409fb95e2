/**
 * The local engine's pool of contexts (one thread each) against a single context, on the same
 * fixed workload in the same run: 16 completions of exactly 64 tokens (`ignore_eos`) on the
 * small dummy model (~25 M parameters, Q8_0). The ratio is the figure; absolute tokens/s depend
 * on the machine and on whatever else it runs.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { LlamaCppBackend } from "../src/backends/llamacpp/llamacpp-backend.js";
import { createDummyModel } from "../src/gguf/create-dummy-model.js";

const REQUESTS = 16;
const TOKENS = 64;
/** Per phase: a stuck engine must not hold the whole benchmark run hostage. */
const PHASE_LIMIT_MS = 50_000;

export async function benchLlamaPool(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "docket-bench-llama-"));
  try {
    const modelPath = join(dir, "small.gguf");
    const model = await createDummyModel(modelPath, { size: "small", seed: 1 });
    const poolSize = availableParallelism();
    const pool = await measure(modelPath, poolSize);
    const single = await measure(modelPath, 1);
    const ratio = pool.tokensPerSecond / single.tokensPerSecond;
    console.log(
      `BENCH llamacpp-pool tokens_per_s_pool=${pool.tokensPerSecond.toFixed(1)} ` +
        `tokens_per_s_single=${single.tokensPerSecond.toFixed(1)} ratio=${ratio.toFixed(2)}`,
    );
    console.log(
      `${REQUESTS} completions x ${TOKENS} tokens on the small dummy model ` +
        `(${(model.parameters / 1e6).toFixed(1)} M parameters, Q8_0; random tokens): ` +
        `${poolSize} contexts x 1 thread ${pool.seconds.toFixed(2)} s, ` +
        `1 context x 1 thread ${single.seconds.toFixed(2)} s (${ratio.toFixed(2)}x with the pool)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(
  modelPath: string,
  contexts: number,
): Promise<{ tokensPerSecond: number; seconds: number }> {
  const backend = new LlamaCppBackend({ modelPath, contexts });
  try {
    await backend.start(); // loading is not what we measure
    // Nor is the first touch of the weights (page faults on the mmapped file): warm every context.
    await Promise.all(
      Array.from({ length: contexts }, (_, i) =>
        backend.send({
          endpoint: "/v1/completions",
          body: JSON.stringify({ prompt: `warm-up ${i}`, max_tokens: 8, ignore_eos: true, seed: i }),
        }),
      ),
    );
    const body = (i: number) =>
      JSON.stringify({
        prompt: `Request ${i}: tell a story.`,
        max_tokens: TOKENS,
        ignore_eos: true,
        seed: i,
      });
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        backend.send({
          endpoint: "/v1/completions",
          body: body(i),
          signal: AbortSignal.timeout(PHASE_LIMIT_MS),
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    let tokens = 0;
    for (const r of results) {
      if (!r.ok) throw new Error(`${contexts}-context phase failed: ${r.code}: ${r.message}`);
      tokens += r.usage?.outputTokens ?? 0;
    }
    return { tokensPerSecond: tokens / seconds, seconds };
  } finally {
    await backend.close();
  }
}
