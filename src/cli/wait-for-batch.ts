import type { ApiClient } from "./api-client.js";
import { DEFAULT_MAX_PROBLEMS, formatBatchProblems } from "./batch-problems.js";
import { type BatchView, TERMINAL } from "./batch-types.js";
import { describeSavings } from "./dedup-savings.js";
import { followJobEvents } from "./event-stream.js";
import { ProgressBar } from "./progress.js";

/**
 * Follows a batch until it ends, drawing progress; returns the final batch. Uses the server's
 * event stream (GET /v1/batches/:id/events), and polls when that is unavailable or breaks off.
 */
export async function waitForBatch(client: ApiClient, id: string, intervalMs = 500): Promise<BatchView> {
  const bar = new ProgressBar();
  const draw = (b: BatchView) =>
    bar.update(b.status, b.request_counts.completed, b.request_counts.failed, b.request_counts.total);
  const streamed = await followJobEvents<BatchView>(
    client,
    `/v1/batches/${encodeURIComponent(id)}/events`,
    draw,
  );
  if (streamed) {
    bar.finish();
    return streamed;
  }
  for (;;) {
    const b = await client.json<BatchView>("GET", `/v1/batches/${id}`);
    bar.update(b.status, b.request_counts.completed, b.request_counts.failed, b.request_counts.total);
    if (TERMINAL.has(b.status)) {
      bar.finish();
      return b;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Exit code for a finished batch: 0 completed, 3 anything else (failed/expired/cancelled). */
export function exitCodeFor(b: BatchView): number {
  return b.status === "completed" ? 0 : 3;
}

/** A batch in a few lines: status and counts, its files, and its problems (at most `maxProblems`). */
export function describeBatch(b: BatchView, maxProblems = DEFAULT_MAX_PROBLEMS): string {
  const c = b.request_counts;
  const lines = [
    `${b.id}  ${b.status}  ${c.completed}/${c.total} completed, ${c.failed} failed  (${b.endpoint})`,
  ];
  const saved = describeSavings(b);
  if (saved) lines.push(saved);
  if (b.output_file_id) lines.push(`  output file: ${b.output_file_id}`);
  if (b.error_file_id) lines.push(`  error file:  ${b.error_file_id}`);
  lines.push(...formatBatchProblems(b.errors?.data ?? [], maxProblems, problemTotal(b)));
  return lines.join("\n");
}

/** How many problems the batch has, when the server reports more than it lists. */
export function problemTotal(b: BatchView): number | undefined {
  const errors = b.errors as { total_count?: unknown; total?: unknown } | null;
  const total = errors?.total_count ?? errors?.total;
  return typeof total === "number" ? total : undefined;
}
