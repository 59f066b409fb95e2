import { open } from "node:fs/promises";
import type { ApiClient } from "./api-client.js";
import { ApiError } from "./api-client.js";
import { type PartialPage, readPartialPage } from "./partial-page.js";

/** Where a stream of lines goes: a file (created, or appended to when resuming) or stdout. */
export interface LineSink {
  write(bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

export async function fileSink(path: string, append: boolean): Promise<LineSink> {
  const fh = await open(path, append ? "a" : "w");
  return {
    async write(bytes) {
      if (bytes.length > 0) await fh.write(bytes);
    },
    close: () => fh.close(),
  };
}

export function stdoutSink(): LineSink {
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => {
        if (bytes.length === 0) return resolve();
        process.stdout.write(bytes, (err) => (err ? reject(err) : resolve()));
      }),
    close: async () => {},
  };
}

export interface CopyOptions {
  /** The cursor to start from (0, or one printed by an earlier run). */
  after: number;
  /** Records per page. */
  limit: number;
  /** Keep polling until the batch ends; otherwise stop once nothing more is final. */
  follow: boolean;
  intervalMs: number;
  output: LineSink;
  /** OpenAI's error file, kept in step with the output (both up to the same cursor); null: not read. */
  errors: LineSink | null;
  /** Asked between pages: true stops the copy at the cursor reached (Ctrl-C). */
  stopRequested?: () => boolean;
  /** Waits between polls (tests may shorten it). */
  sleep?: (ms: number) => Promise<void>;
  /** Told after each page written (progress on stderr). */
  onPage?: (page: PartialPage, cursor: number) => void;
}

export interface CopyResult {
  /** Every record before it has its lines written. */
  cursor: number;
  /** The batch ended and everything was written. */
  complete: boolean;
}

/** Failed reads in a row that a copy rides out (a server restarting, a response cut) before it gives up. */
const MAX_FAILURES_IN_A_ROW = 5;

/**
 * Copies a batch's results as they become final (docs/partial-results.md): each page is read
 * whole, then written, then the cursor moves; so whatever stops the copy, the files hold exactly
 * the lines before the cursor it reports, and a copy resumed from that cursor appends the rest.
 * Concatenated, what it writes is the batch's final output (and error) file byte for byte.
 */
export async function copyPartialResults(
  client: ApiClient,
  batchId: string,
  o: CopyOptions,
): Promise<CopyResult> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let cursor = o.after;
  let failures = 0;
  for (;;) {
    if (o.stopRequested?.()) return { cursor, complete: false };
    let page: PartialPage;
    let errors: PartialPage | null = null;
    try {
      page = await readPartialPage(client, batchId, { after: cursor, limit: o.limit });
      if (o.errors && page.nextCursor > cursor) {
        // The error file's lines for exactly the records the output page covered.
        errors = await readPartialPage(client, batchId, {
          after: cursor,
          limit: o.limit,
          errors: true,
          until: page.nextCursor,
        });
        if (errors.nextCursor !== page.nextCursor) {
          throw new ApiError(
            0,
            `the error file's page ended at ${errors.nextCursor}, not ${page.nextCursor}`,
          );
        }
      }
      failures = 0;
    } catch (err) {
      if (!transient(err) || ++failures > MAX_FAILURES_IN_A_ROW) throw err;
      await sleep(o.intervalMs);
      continue;
    }
    await o.output.write(page.lines);
    if (errors) await o.errors?.write(errors.lines);
    const moved = page.nextCursor > cursor;
    cursor = page.nextCursor;
    o.onPage?.(page, cursor);
    if (page.complete) return { cursor, complete: true };
    if (!moved) {
      if (!o.follow) return { cursor, complete: false };
      await sleep(o.intervalMs);
    }
  }
}

/** A read worth trying again: the server unreachable or failing, or a response cut part-way (undici's errors). */
function transient(err: unknown): boolean {
  if (err instanceof ApiError) return err.status === 0 || err.status >= 500;
  const e = err as { code?: unknown; message?: unknown } | null;
  return (typeof e?.code === "string" && e.code.startsWith("UND_ERR")) || e?.message === "terminated";
}
