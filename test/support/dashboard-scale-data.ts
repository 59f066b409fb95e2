import type { AttemptResult } from "../../src/domain/record.js";
import type { Store } from "../../src/store/store.js";
import { testRecords } from "../store-contract/fixtures.js";

/** 9,999 small jobs plus the big one. */
export const SCALE_JOBS = 10_000;
export const SCALE_RECORDS = 1_000_000;
/** Records of the big job that have finished, spread over 100 seconds. */
export const SCALE_FINISHED = 100_000;
export const SCALE_BIG_JOB = "batch_big";

/**
 * The dashboard's scale data set, written straight through the store API (over HTTP it would take
 * minutes): 9,999 jobs left `validating` (no validator runs), models alternating `model-even` /
 * `model-odd`, and the newest, `batch_big`, in progress with 1,000,000 records of which 100,000
 * ended (1 in 50 failed, codes `a` and `b`). Shared by test/http/dashboard-scale.test.ts, which
 * checks what the API answers on it, and bench/scenarios/dashboard.bench.ts, which times it.
 */
export async function fillDashboardScale(store: Store): Promise<string> {
  const t0 = Date.now() - 3_600_000;
  for (let i = 0; i < SCALE_JOBS - 1; i++) {
    await store.insertJob({
      projectId: "default",
      id: `batch_${String(i).padStart(6, "0")}`,
      endpoint: "/v1/chat/completions",
      inputFileId: "file-x",
      completionWindow: "24h",
      metadata: null,
      createdAt: t0 + i,
      expiresAt: t0 + 86_400_000,
      model: i % 2 === 0 ? "model-even" : "model-odd",
    });
  }
  const bigJob = SCALE_BIG_JOB;
  await store.insertJob({
    projectId: "default",
    id: bigJob,
    endpoint: "/v1/chat/completions",
    inputFileId: "file-x",
    completionWindow: "24h",
    metadata: null,
    createdAt: t0 + SCALE_JOBS,
    expiresAt: t0 + 86_400_000,
  });
  await store.claimValidation("validator", 600_000, t0);
  for (let start = 0; start < SCALE_RECORDS; start += 50_000) {
    const chunk = testRecords(50_000, "r1", (i) => `{"model":"m","n":${start + i}}`).map((r) => ({
      ...r,
      position: r.position + start,
      line: r.line + start,
      customId: `c${r.position + start}`,
    }));
    await store.insertRecords(bigJob, chunk, 3);
  }
  const startedAt = Date.now() - 200_000;
  await store.finishValidation(bigJob, SCALE_RECORDS, startedAt, "m");
  for (let done = 0; done < SCALE_FINISHED; done += 10_000) {
    const claimed = await store.claimRecords({
      owner: "w",
      routes: [{ route: "r1", limit: 10_000 }],
      leaseMs: 600_000,
      now: startedAt,
    });
    const results: AttemptResult[] = claimed.map((r, i) => ({
      recordId: r.id,
      attempt: r.attempt,
      latencyMs: 100 + (i % 100),
      outcome:
        i % 50 === 0
          ? { kind: "failed", response: null, error: { code: i % 100 === 0 ? "a" : "b", message: "x" } }
          : { kind: "succeeded", response: { statusCode: 200, requestId: null, body: "{}" }, usage: null },
    }));
    await store.recordResults(results, startedAt + 1_000 + done / 1_000);
  }
  return bigJob;
}

/**
 * A page init script: notes when the 50th row of the jobs table enters the DOM, on the page's
 * clock (0 = navigation start), as `window.rowsAt`.
 */
export function noteFiftyRows(): void {
  new MutationObserver((_, observer) => {
    if (document.querySelectorAll("table.jobs tbody tr").length >= 50) {
      (window as unknown as { rowsAt: number }).rowsAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
}
