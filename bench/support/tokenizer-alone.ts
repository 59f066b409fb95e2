import { once } from "node:events";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { makeBpeCounter } from "../../src/prep/tokens/bpe-counter.js";
import { bpeTable } from "../../src/prep/tokens/bpe-table.js";

/**
 * Counts its share of texts when told to, and reports how long it took: with gpt-tokenizer's
 * countTokens, or with Docket's BPE counter (its source text and the shared table).
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
let count;
if (workerData.module) {
  const { countTokens } = require(workerData.module);
  const asText = { disallowedSpecial: new Set() };
  count = (t) => countTokens(t, asText);
} else {
  count = new Function("return (" + workerData.source + ")")()(workerData.table);
}
const texts = [];
parentPort.on("message", (m) => {
  if (m.texts) {
    for (const t of m.texts) texts.push(t);
    if (m.last) parentPort.postMessage({ ready: true });
    return;
  }
  let tokens = 0;
  for (const t of texts) tokens += count(t);
  parentPort.postMessage({ tokens });
});
`;

export type AloneCounter = "gpt-tokenizer" | "docket-bpe";

/**
 * The physical bound of exact counting: `texts` split between one worker thread per core (the
 * encoding loaded and the texts copied in beforehand, not timed), each doing nothing but count.
 */
export async function countAloneOnThreads(
  encoding: "o200k_base" | "cl100k_base",
  texts: string[],
  counter: AloneCounter = "gpt-tokenizer",
): Promise<{ seconds: number; cpuSeconds: number; tokens: number; threads: number }> {
  const threads = Math.max(1, availableParallelism());
  const workerData =
    counter === "gpt-tokenizer"
      ? { module: createRequire(import.meta.url).resolve(`gpt-tokenizer/cjs/encoding/${encoding}`) }
      : { source: makeBpeCounter.toString(), table: bpeTable(encoding) };
  const workers = Array.from({ length: threads }, () => new Worker(WORKER, { eval: true, workerData }));
  try {
    // Alternate texts so each worker gets the same mix; send in slices to bound the copies in flight.
    const ready = workers.map((w) => once(w, "message"));
    for (let w = 0; w < threads; w++) {
      const share = texts.filter((_, i) => i % threads === w);
      for (let at = 0; at < share.length; at += 10_000) {
        const last = at + 10_000 >= share.length;
        workers[w]!.postMessage({ texts: share.slice(at, at + 10_000), last });
      }
    }
    await Promise.all(ready);
    const start = performance.now();
    // This thread only waits meanwhile, so the process's CPU time is the counting threads'.
    const cpuStart = process.cpuUsage();
    const results = workers.map((w) => once(w, "message") as Promise<[{ tokens: number }]>);
    for (const w of workers) w.postMessage({ go: true });
    const done = await Promise.all(results);
    const cpu = process.cpuUsage(cpuStart);
    return {
      seconds: (performance.now() - start) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      tokens: done.reduce((n, [r]) => n + r.tokens, 0),
      threads,
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
