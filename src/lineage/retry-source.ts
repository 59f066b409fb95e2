import type { Job } from "../domain/job.js";
import type { FinishedRecord } from "../domain/record.js";
import type { FinalizeStore } from "../store/store.js";
import { mergedRecords } from "./merged-records.js";

/** Records per page when a batch's records are read with their bodies (a body may be large). */
const PAGE = 64;

/** A batch's finished records in input order, with their request bodies. */
export async function* batchRecords(
  store: Pick<FinalizeStore, "readFinished">,
  jobId: string,
): AsyncGenerator<FinishedRecord> {
  let after = -1;
  for (;;) {
    const page = await store.readFinished(jobId, after, PAGE, { bodies: true });
    if (page.length === 0) return;
    after = page[page.length - 1]!.position;
    yield* page;
  }
}

/**
 * Where a retry chooses its records from: `batch`, the parent's own records; `lineage`, each id's
 * current result across the whole lineage (its latest success, else its latest result), so
 * "everything without a success yet" is one retry however many came before.
 */
export function retrySource(
  store: Pick<FinalizeStore, "readFinished">,
  scope: "batch" | "lineage",
  parent: Job,
  lineage: readonly Job[],
): AsyncGenerator<FinishedRecord> {
  return scope === "batch" ? batchRecords(store, parent.id) : mergedRecords(store, lineage, { bodies: true });
}
