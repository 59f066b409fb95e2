/**
 * `npm run bench`: every scenario, each printing one `BENCH <name> <figure>=<value> …` line
 * (ratios measured in this same run against a baseline; absolute times here are noisy) plus
 * a human summary, and a `GOAL <name> value=… goal=… met=yes|no|reported` line per figure of
 * issue 18 (bench/support/goal.ts), gathered in a table at the end.
 * `npm run bench -- --only name1,name2` runs a subset.
 */
import { benchLlamaPool } from "./llamacpp-pool.bench.js";
import { benchPgScaling } from "./pg-scaling.bench.js";
import { benchPrepThroughput } from "./prep-throughput.bench.js";
import { benchCapacity } from "./scenarios/capacity.bench.js";
import { benchCrashLoop } from "./scenarios/crash-loop.bench.js";
import { benchDashboard } from "./scenarios/dashboard.bench.js";
import { benchDedup } from "./scenarios/dedup.bench.js";
import { benchExportParquet } from "./scenarios/export-parquet.bench.js";
import { benchLatency } from "./scenarios/latency.bench.js";
import { benchMergedResults } from "./scenarios/merged-results.bench.js";
import { benchOverhead } from "./scenarios/overhead.bench.js";
import { benchProviderBatch } from "./scenarios/provider-batch.bench.js";
import { benchRateLimited } from "./scenarios/rate-limited.bench.js";
import { benchSubmission } from "./scenarios/submission.bench.js";
import { printGoalSummary } from "./support/goal.js";

const SCENARIOS: Record<string, () => Promise<void>> = {
  // First: its peak-RSS figure is the process's, so it must not inherit the other scenarios' heap.
  "prep-throughput": () => benchPrepThroughput(),
  capacity: benchCapacity,
  "rate-limited": benchRateLimited,
  overhead: benchOverhead,
  latency: benchLatency,
  submission: benchSubmission,
  dedup: benchDedup,
  "crash-loop": benchCrashLoop,
  "pg-scaling": benchPgScaling,
  "llamacpp-pool": benchLlamaPool,
  "provider-batch": benchProviderBatch,
  "export-parquet": () => benchExportParquet(),
  "merged-results": () => benchMergedResults(),
  dashboard: benchDashboard,
};

const onlyArg = process.argv.indexOf("--only");
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? "").split(",")) : null;

const started = Date.now();
for (const [name, run] of Object.entries(SCENARIOS)) {
  if (only && !only.has(name)) continue;
  console.log(`\n=== ${name} ===`);
  const t = Date.now();
  try {
    await run();
  } catch (err) {
    console.log(`BENCH ${name} error=${JSON.stringify((err as Error).message)}`);
    process.exitCode = 1;
  }
  console.log(`(${name}: ${((Date.now() - t) / 1000).toFixed(1)} s)`);
}
printGoalSummary();
console.log(`\nall benchmarks: ${((Date.now() - started) / 1000).toFixed(1)} s`);
