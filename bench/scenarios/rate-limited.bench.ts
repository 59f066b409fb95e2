import { bench, chatLines, startBenchDocket } from "../support/bench-docket.js";
import { startFakeProcess } from "../support/fake-process.js";
import { goal } from "../support/goal.js";

const RPM = 6000;
const TPM = 400_000;

/**
 * A backend that enforces 6,000 requests and 400,000 tokens per minute (sliding 60 s window,
 * 429 + Retry-After beyond), limits not told to Docket. Docket must learn them from the 429s:
 * achieved rate over one full window after the first as a fraction of the limit, and no record
 * may fail.
 */
export async function benchRateLimited(): Promise<void> {
  const fake = await startFakeProcess(["--rpm", String(RPM), "--tpm", String(TPM)]);
  const d = await startBenchDocket({ backendUrl: fake.url, concurrency: 64, adaptive: true });
  try {
    // More records than two minutes at the limit can serve, so the backend is never starved.
    const id = await d.submit(chatLines(RPM * 4));
    await d.waitFor(id, ["in_progress"]);
    // The first window is a burst (the limiter starts empty); measure the second, steady one.
    await sleep(65_000);
    const before = (await fake.stats()).byStatus[200] ?? 0;
    await sleep(60_000);
    const after = (await fake.stats()).byStatus[200] ?? 0;
    const stats = await fake.stats();
    const job = await d.docket.store.getJob(id);
    await d.client.json("POST", `/v1/batches/${id}/cancel`).catch(() => {}); // may have finished
    const rate = after - before;
    console.log(
      `  ${rate} requests served in the steady minute (limit ${RPM}); ${stats.byStatus[429] ?? 0} answered 429 in all; ${job?.counts.failed} records failed`,
    );
    bench("rate-limited", {
      rpm_limit: RPM,
      achieved_per_minute: rate,
      fraction_of_limit: rate / RPM,
      failed_records: job?.counts.failed ?? -1,
      responses_429: stats.byStatus[429] ?? 0,
    });
    goal({
      name: "rate-limited.fraction_of_limit",
      value: rate / RPM,
      atLeast: 0.95,
      unit: "×",
      what: `served in a steady minute ÷ ${RPM} RPM, limits not told`,
    });
    goal({ name: "rate-limited.failed_records", value: job?.counts.failed ?? Number.NaN, atMost: 0 });
  } finally {
    await d.close();
    await fake.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
