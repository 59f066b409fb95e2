import type { Endpoint, JobFormat } from "../../src/domain/job.js";
import type { Store } from "../../src/store/store.js";

/** Records go to the store this many at a time (a job may hold 100k+). */
const CHUNK = 10_000;

/**
 * A job as validation leaves it: `n` records on `route`, validated and running, written straight
 * to the store (no input file behind it), for tests and benches of what runs jobs.
 */
export async function insertRunningJob(
  store: Store,
  o: {
    id: string;
    endpoint: Endpoint;
    /** Absent: the store's default (openai). */
    format?: JobFormat;
    /** Absent: none, as validation would set it. */
    model?: string;
    n: number;
    route: string;
    /** Record `i`'s custom_id and body. */
    record: (i: number) => { customId: string; body: string };
    now?: number;
    windowMs?: number;
  },
): Promise<string> {
  const now = o.now ?? Date.now();
  await store.insertJob({
    id: o.id,
    projectId: "default",
    ...(o.format ? { format: o.format } : {}),
    ...(o.model ? { model: o.model } : {}),
    endpoint: o.endpoint,
    inputFileId: "file-x",
    completionWindow: "24h",
    metadata: null,
    createdAt: now,
    expiresAt: now + (o.windowMs ?? 86_400_000),
  });
  await store.claimValidation("validator", 30_000, now);
  for (let start = 0; start < o.n; start += CHUNK) {
    const records = [];
    for (let i = start; i < Math.min(o.n, start + CHUNK); i++) {
      records.push({ position: i, line: i + 1, route: o.route, ...o.record(i) });
    }
    await store.insertRecords(o.id, records, 12);
  }
  await store.finishValidation(o.id, o.n, now);
  return o.id;
}

/** A fresh job id with the API's prefix (`batch_`, `msgbatch_`). */
export function randomJobId(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2)}`;
}
