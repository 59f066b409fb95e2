import type { Job } from "../domain/job.js";
import type { FinishedRecord } from "../domain/record.js";
import type { FinalizeStore } from "../store/store.js";

/**
 * Records held in memory at once across all cursors of one walk (their answers come along), and
 * fewer when each brings its request body. Each batch's page is its share, at least MIN_PAGE.
 * As many as one output file's page (result-file.ts): 8,000 let V8 grow the heap to a peak RSS
 * of 167–170 MB reading a 1,000,000-request lineage of 3 batches, 2,000 to 146–148 MB, at the
 * same speed (a page's records outlive a scavenge or two and are promoted; fewer, less old space).
 */
const RECORD_BUDGET = 2000;
const RECORD_BUDGET_WITH_BODIES = 512;
const MIN_PAGE = 8;

/** A record's identity within a lineage: its custom id exactly as the input wrote it. */
export function idKey(r: FinishedRecord): string {
  return r.customIdJson ?? JSON.stringify(r.customId);
}

/**
 * One record per id of the lineage's root, in the root's input order: the latest success of that
 * id across the lineage, or, when it never succeeded, its latest result. "Latest" is the batch
 * created last, `batches` being in creation order with the root first.
 *
 * Streams with one cursor per batch and no map of ids: a retry writes its records in its
 * parent's input order, and every batch of a lineage holds a subset of its parent's ids, so each
 * batch's records are a subsequence of the root's order. Walking the root, a batch's next record
 * is either this root record's id or a later one. Every batch must have ended (all its records
 * finished); a batch that failed validation simply holds none.
 */
export async function* mergedRecords(
  store: Pick<FinalizeStore, "readFinished">,
  batches: readonly Job[],
  o: { bodies: boolean },
): AsyncGenerator<FinishedRecord> {
  const budget = o.bodies ? RECORD_BUDGET_WITH_BODIES : RECORD_BUDGET;
  const page = Math.max(MIN_PAGE, Math.floor(budget / Math.max(1, batches.length)));
  const [root, ...retries] = batches.map((b) => new RecordCursor(store, b.id, page, o.bodies));
  if (!root) return;
  for (;;) {
    const first = await root.take();
    if (first === null) break;
    const key = idKey(first);
    let chosen = first;
    for (const cursor of retries) {
      const head = await cursor.peek();
      if (head === null || idKey(head) !== key) continue;
      await cursor.take();
      // A later success wins; a later failure wins only over another failure.
      if (head.state === "succeeded" || chosen.state !== "succeeded") chosen = head;
    }
    yield chosen;
  }
  for (const [i, cursor] of retries.entries()) {
    const left = await cursor.peek();
    if (left !== null) {
      // Cannot happen for batches made by retries; a stream cut here tells the reader it is incomplete.
      throw new Error(
        `merged results: record ${JSON.stringify(left.customId)} of batch ${batches[i + 1]!.id} matched no record of the lineage's root in order`,
      );
    }
  }
}

/** A batch's finished records in input order, one page at a time, with one record of lookahead. */
class RecordCursor {
  private buffer: FinishedRecord[] = [];
  private at = 0;
  private after = -1;
  private done = false;

  constructor(
    private readonly store: Pick<FinalizeStore, "readFinished">,
    private readonly jobId: string,
    private readonly page: number,
    private readonly bodies: boolean,
  ) {}

  async peek(): Promise<FinishedRecord | null> {
    if (this.at < this.buffer.length) return this.buffer[this.at]!;
    if (this.done) return null;
    this.buffer = await this.store.readFinished(this.jobId, this.after, this.page, { bodies: this.bodies });
    this.at = 0;
    if (this.buffer.length === 0) {
      this.done = true;
      return null;
    }
    this.after = this.buffer[this.buffer.length - 1]!.position;
    return this.buffer[0]!;
  }

  async take(): Promise<FinishedRecord | null> {
    const head = await this.peek();
    if (head !== null) this.at++;
    return head;
  }
}
