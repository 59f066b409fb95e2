import { resolve } from "node:path";
import { DocketError } from "../../domain/errors.js";
import { type ApiClient, ApiError } from "../api-client.js";
import type { BatchView } from "../batch-types.js";
import { EXIT } from "../cli-errors.js";
import { followRetry, type RetryView } from "../commands/retry.js";
import { linkFromMetadata } from "../export/dataset-link.js";
import type { ExportFormat, ExportSummary } from "../export/export-job.js";
import { exportBatch } from "../export-batch.js";
import { exitCodeFor } from "../wait-for-batch.js";

/** Batches looked through, newest first, for the previous run of a dataset. */
const SEARCH_LIMIT = 1000;
const PAGE = 100;
/** What has no success: a request that ended any of these ways is run again. */
const WITHOUT_SUCCESS = ["failed", "expired", "cancelled"];

export interface ResumeOptions {
  /** `--resume BATCH`: a batch of the run's lineage; `true`: find the newest run of this dataset. */
  resume: string | true;
  dataset: string;
  template: string;
  wait: boolean;
  maxProblems: number;
  out: { out: string; format: ExportFormat };
  describeExport: (s: ExportSummary) => string;
}

/**
 * `docket run … --resume`: runs again only the rows of an earlier run that have no success yet,
 * as one retry across that run's lineage (`scope: "lineage"`, docs/lineage.md), then (with
 * `--wait`) exports the merged results joined onto the dataset. The earlier run is found on the
 * server: the newest batch whose metadata links this dataset and template (what `docket run`
 * records for `docket export`), or the batch named. Nothing is prepared again: each row is re-sent
 * with the exact body it had.
 */
export async function resumeRun(client: ApiClient, o: ResumeOptions): Promise<number> {
  const previous =
    o.resume === true
      ? await findPreviousRun(client, resolve(o.dataset), resolve(o.template))
      : await client.json<BatchView>("GET", `/v1/batches/${encodeURIComponent(o.resume)}`);
  console.log(`Resuming ${o.dataset} from ${previous.id} (its whole retry lineage).`);
  let child: RetryView | null = null;
  let last: BatchView = previous;
  try {
    child = await client.json<RetryView>("POST", `/v1/batches/${encodeURIComponent(previous.id)}/retry`, {
      only: WITHOUT_SUCCESS,
      scope: "lineage",
    });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 400 || !/matches the selection/.test(err.message))
      throw err;
    console.log("Every row already has a success: nothing to run again.");
  }
  if (child) {
    console.log(`${child.id} created: ${child.docket_retry.records} rows without a success run again.`);
    const done = await followRetry(client, child, o);
    if (!done) return EXIT.ok;
    last = done;
    if (exitCodeFor(done) !== EXIT.ok) console.log(`note: ${child.id} ended ${done.status}.`);
  }
  // The export `docket run` and `docket export --merged` make (typed JSON-schema columns included).
  const summary = await exportBatch(client, last, {
    out: o.out.out,
    format: o.out.format,
    results: "merged",
    template: linkFromMetadata(previous.metadata)?.template ?? resolve(o.template),
    note: (line) => console.log(line),
  });
  console.log(`Results, merged over the lineage: ${o.describeExport(summary)}; wrote ${o.out.out}`);
  // Rows never submitted (bad rows skipped) are not failures of the run; any other end is.
  const unsuccessful = WITHOUT_SUCCESS.reduce((n, status) => n + (summary.byStatus[status] ?? 0), 0);
  return unsuccessful === 0 ? EXIT.ok : EXIT.batchFailed;
}

/** The newest batch that `docket run` made from this dataset and template (not a sample). */
async function findPreviousRun(client: ApiClient, dataset: string, template: string): Promise<BatchView> {
  let after: string | undefined;
  for (let seen = 0; seen < SEARCH_LIMIT; seen += PAGE) {
    const q = new URLSearchParams({ limit: String(PAGE), ...(after ? { after } : {}) });
    const page = await client.json<{ data: BatchView[]; has_more: boolean }>("GET", `/v1/batches?${q}`);
    const hit = page.data.find((b) => {
      const link = linkFromMetadata(b.metadata);
      return link?.dataset === dataset && link.template === template && link.sample === undefined;
    });
    if (hit) return hit;
    if (!page.has_more || page.data.length === 0) break;
    after = page.data[page.data.length - 1]!.id;
  }
  throw new DocketError(
    "no_previous_run",
    `No earlier run of ${dataset} with template ${template} among the ${SEARCH_LIMIT} newest batches; ` +
      "pass the batch to resume: --resume BATCH_ID.",
  );
}
