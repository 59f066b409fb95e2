import type { DatasetRow, ReaderItem } from "../../prep/readers/dataset-row.js";
import { fromResult, notRun, type RowOutcome } from "./export-row.js";
import type { RecordResult } from "./result-line.js";

export interface JoinedRow {
  /** The input row's fields; null for a row that could not be parsed. */
  fields: Record<string, unknown> | null;
  outcome: RowOutcome;
}

export interface JoinStats {
  rows: number;
  /** Result lines no input row claimed (the input is not the one the job was made from?). */
  unmatched: number;
}

/**
 * Joins a job's results onto its input rows in one pass with bounded memory. The output and
 * error files are each in input order, and so are the rows that were submitted, so each row only
 * has to be compared with the next line of each file: it is that line's row, or was not run
 * (rejected before submission, or not in a sample).
 */
export async function* joinResults(
  rows: AsyncIterable<ReaderItem>,
  idOf: (row: DatasetRow) => string | null,
  outputs: AsyncIterable<RecordResult>,
  errors: AsyncIterable<RecordResult>,
  stats: JoinStats,
): AsyncGenerator<JoinedRow> {
  const out = new Cursor(outputs);
  const err = new Cursor(errors);
  for await (const item of rows) {
    stats.rows++;
    if (item.kind === "parse_problem") {
      yield { fields: null, outcome: notRun(null, "unparseable_row", `line ${item.line}: ${item.message}`) };
      continue;
    }
    const id = idOf(item);
    let outcome: RowOutcome | null = null;
    if (id !== null) {
      const hit = (await out.takeIf(id)) ?? (await err.takeIf(id));
      if (hit) outcome = fromResult(hit);
    }
    yield { fields: item.fields, outcome: outcome ?? notRun(id) };
  }
  stats.unmatched = (await out.drain()) + (await err.drain());
}

/**
 * Without an input, the output and error files are merged back into input order by record
 * number (`batch_req_<n>` grows with the input position), output lines first when unnumbered.
 */
export async function* mergeResults(
  outputs: AsyncIterable<RecordResult>,
  errors: AsyncIterable<RecordResult>,
  stats: JoinStats,
): AsyncGenerator<JoinedRow> {
  const out = new Cursor(outputs);
  const err = new Cursor(errors);
  for (;;) {
    const a = await out.peek();
    const b = await err.peek();
    if (a === null && b === null) return;
    const takeA = b === null || (a !== null && (a.seq ?? -1) <= (b.seq ?? Number.MAX_SAFE_INTEGER));
    const next = takeA ? await out.take() : await err.take();
    stats.rows++;
    yield { fields: null, outcome: fromResult(next!) };
  }
}

/** One-line lookahead over an async iterable. */
class Cursor<T extends { customId: string }> {
  private readonly it: AsyncIterator<T>;
  private head: T | null | undefined;

  constructor(source: AsyncIterable<T>) {
    this.it = source[Symbol.asyncIterator]();
  }

  async peek(): Promise<T | null> {
    if (this.head === undefined) {
      const n = await this.it.next();
      this.head = n.done ? null : n.value;
    }
    return this.head;
  }

  async take(): Promise<T | null> {
    const h = await this.peek();
    this.head = undefined;
    return h;
  }

  async takeIf(customId: string): Promise<T | null> {
    const h = await this.peek();
    return h !== null && h.customId === customId ? this.take() : null;
  }

  async drain(): Promise<number> {
    let n = 0;
    while ((await this.take()) !== null) n++;
    return n;
  }
}
