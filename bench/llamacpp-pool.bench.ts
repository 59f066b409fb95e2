/**
 * The local engine on the same fixed workload in the same run: 16 completions of exactly 64
 * tokens (`ignore_eos`) on the small dummy model (~25 M parameters, Q8_0), one thread per
 * context (docs/local-engine.md).
 * - Goal (issue 18): tokens/s through Docket's engine route (LlamaCppBackend: OpenAI body in,
 *   engine child process, slot pool, OpenAI body out) ÷ node-llama-cpp driven directly in a
 *   child process of its own with the same contexts, ≥ 0.95. The two alternate, three rounds,
 *   so both see the same machine; the median round's ratio is the figure.
 * - Reported: the pool of contexts ÷ a single context.
 * Absolute tokens/s depend on the machine and on whatever else it runs.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { LlamaCppBackend } from "../src/backends/llamacpp/llamacpp-backend.js";
import { createDummyModel } from "../src/gguf/create-dummy-model.js";
import { goal } from "./support/goal.js";
import { type Completion, openDirectLlama } from "./support/llama-direct.js";

const REQUESTS = 16;
const TOKENS = 64;
/** Rounds of (engine, direct) back to back; the figure is the median of the rounds' ratios. */
const ROUNDS = 3;
/** Per phase: a stuck engine must not hold the whole benchmark run hostage. */
const PHASE_LIMIT_MS = 50_000;

interface Phase {
  tokens: number;
  seconds: number;
}
const perSecond = (p: Phase) => p.tokens / p.seconds;

const workload: Completion[] = Array.from({ length: REQUESTS }, (_, i) => ({
  prompt: `Request ${i}: tell a story.`,
  tokens: TOKENS,
  seed: i,
}));

export async function benchLlamaPool(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "docket-bench-llama-"));
  try {
    const modelPath = join(dir, "small.gguf");
    const model = await createDummyModel(modelPath, { size: "small", seed: 1 });
    const poolSize = availableParallelism();

    const engine = await openEngine(modelPath, poolSize);
    const direct = await openDirectLlama(modelPath, poolSize);
    const viaEngine: Phase = { tokens: 0, seconds: 0 };
    const viaDirect: Phase = { tokens: 0, seconds: 0 };
    const roundRatios: number[] = [];
    try {
      await direct.run(workload.slice(0, poolSize).map((c) => ({ ...c, tokens: 8 }))); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        // Which goes first alternates, so neither always follows the other's heat or a burst.
        let e: Phase;
        let d: Phase;
        if (round % 2 === 0) {
          e = await runEngine(engine, poolSize);
          d = await direct.run(workload);
        } else {
          d = await direct.run(workload);
          e = await runEngine(engine, poolSize);
        }
        add(viaEngine, e);
        add(viaDirect, d);
        roundRatios.push(perSecond(e) / perSecond(d));
      }
    } finally {
      await engine.close();
      await direct.close();
    }
    const single = await measure(modelPath, 1);
    const pool: Phase = viaEngine;
    const poolRatio = perSecond(pool) / perSecond(single);
    // The median round: a neighbour's burst on this shared machine spoils one round, not the figure.
    const routeRatio = roundRatios.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
    console.log(
      `BENCH llamacpp-pool tokens_per_s_engine=${perSecond(viaEngine).toFixed(1)} ` +
        `tokens_per_s_direct=${perSecond(viaDirect).toFixed(1)} engine_vs_direct=${routeRatio.toFixed(3)} ` +
        `rounds=${roundRatios.map((r) => r.toFixed(3)).join(",")} ` +
        `tokens_per_s_single=${perSecond(single).toFixed(1)} pool_vs_single=${poolRatio.toFixed(2)}`,
    );
    console.log(
      `${REQUESTS} completions x ${TOKENS} tokens on the small dummy model ` +
        `(${(model.parameters / 1e6).toFixed(1)} M parameters, Q8_0; random tokens), ${poolSize} contexts x 1 thread, ` +
        `${ROUNDS} rounds each: Docket's engine ${viaEngine.seconds.toFixed(2)} s, node-llama-cpp directly ` +
        `${viaDirect.seconds.toFixed(2)} s; 1 context x 1 thread ${single.seconds.toFixed(2)} s per round ` +
        `(${poolRatio.toFixed(2)}x with the pool)`,
    );
    goal({
      name: "llamacpp.engine_vs_direct",
      value: routeRatio,
      atLeast: 0.95,
      unit: "×",
      what: `tokens/s, Docket's engine route ÷ node-llama-cpp directly (${poolSize} contexts × 1 thread, median of ${ROUNDS} rounds)`,
    });
    goal({
      name: "llamacpp.pool_vs_single",
      value: poolRatio,
      unit: "×",
      what: `tokens/s, ${poolSize} contexts ÷ 1 context (the machine's bound, see docs)`,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function add(total: Phase, p: Phase): void {
  total.tokens += p.tokens;
  total.seconds += p.seconds;
}

async function openEngine(modelPath: string, contexts: number): Promise<LlamaCppBackend> {
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
    return backend;
  } catch (err) {
    await backend.close();
    throw err;
  }
}

/** The workload through the engine route, every request at once (the pool queues them). */
async function runEngine(backend: LlamaCppBackend, contexts: number): Promise<Phase> {
  const started = performance.now();
  const results = await Promise.all(
    workload.map((c) =>
      backend.send({
        endpoint: "/v1/completions",
        body: JSON.stringify({ prompt: c.prompt, max_tokens: c.tokens, ignore_eos: true, seed: c.seed }),
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
  return { tokens, seconds };
}

async function measure(modelPath: string, contexts: number): Promise<Phase> {
  const backend = await openEngine(modelPath, contexts);
  try {
    return await runEngine(backend, contexts);
  } finally {
    await backend.close();
  }
}
