import { Pool } from "undici";
import { bench, chatLines, startBenchDocket } from "../support/bench-docket.js";
import { startFakeProcess } from "../support/fake-process.js";
import { goal } from "../support/goal.js";

const C = 64;
const L = 50;

/**
 * A backend that serves C requests at once with L ms latency can do at most C/L records/s.
 * Docket should keep it saturated: told the concurrency (fixed), and finding it alone
 * (adaptive, ceiling 256).
 */
export async function benchCapacity(): Promise<void> {
  const fake = await startFakeProcess(["--capacity", String(C), "--latency-ms", String(L)]);
  const ideal = C / (L / 1000);
  try {
    const records = Math.round(ideal * 8);
    const results: Record<string, number> = {};
    // What the backend gives a client that does nothing but keep C requests in flight: the
    // fake's own overhead (timers, HTTP) counted once, so Docket's share can be told apart.
    results.direct = (await directClient(fake.url, records)) / ideal;
    console.log(`  direct undici client at concurrency ${C}: ${(results.direct * ideal).toFixed(0)}/s`);
    for (const mode of ["fixed", "adaptive"] as const) {
      const d = await startBenchDocket(
        mode === "fixed"
          ? { backendUrl: fake.url, concurrency: C }
          : { backendUrl: fake.url, concurrency: 256, adaptive: true },
      );
      try {
        // The process's CPU per record (Docket runs in it; the fake has its own): on a shared
        // host the wall-clock ratios move with the load, this moves with the code.
        const cpu0 = process.cpuUsage();
        const id = await d.submit(chatLines(records, mode));
        const job = await d.waitFor(id, ["completed"]);
        const cpu = process.cpuUsage(cpu0);
        results[`${mode}_cpu_us_per_record`] = (cpu.user + cpu.system) / records;
        const seconds = (job.finalizingAt! - job.inProgressAt!) / 1000;
        results[mode] = records / seconds / ideal;
        console.log(
          `  ${mode}: ${records} records in ${seconds.toFixed(2)} s = ${(records / seconds).toFixed(0)}/s of an ideal ${ideal}/s`,
        );
      } finally {
        await d.close();
      }
    }
    bench("capacity", {
      capacity: C,
      latency_ms: L,
      fraction_of_ideal_fixed: results.fixed!,
      fraction_of_ideal_adaptive: results.adaptive!,
      fraction_of_ideal_direct_client: results.direct!,
      fixed_vs_direct: results.fixed! / results.direct!,
      cpu_us_per_record_fixed: results.fixed_cpu_us_per_record!,
      cpu_us_per_record_adaptive: results.adaptive_cpu_us_per_record!,
    });
    goal({
      name: "capacity.fixed_vs_ideal",
      value: results.fixed!,
      atLeast: 0.97,
      unit: "×",
      what: `records/s ÷ C/L (C=${C}, L=${L} ms), concurrency told`,
    });
    goal({
      name: "capacity.fixed_vs_bare_client",
      value: results.fixed! / results.direct!,
      atLeast: 0.99,
      unit: "×",
      what: "records/s ÷ a bare undici client holding C in flight on the same fake",
    });
    goal({
      name: "capacity.adaptive_vs_ideal",
      value: results.adaptive!,
      unit: "×",
      what: "records/s ÷ C/L, concurrency found alone (ceiling 256)",
    });
  } finally {
    await fake.close();
  }
}

async function directClient(url: string, n: number): Promise<number> {
  const base = new URL(url);
  const pool = new Pool(base.origin, { connections: C });
  const body = chatLines(1)[0]!;
  const request = JSON.stringify((JSON.parse(body) as { body: unknown }).body);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next++ < n) {
        const res = await pool.request({
          path: `${base.pathname}/chat/completions`,
          method: "POST",
          body: request,
          headers: { "content-type": "application/json" },
        });
        await res.body.text();
      }
    }),
  );
  const rate = n / ((performance.now() - t0) / 1000);
  await pool.close();
  return rate;
}
