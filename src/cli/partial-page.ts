import type { ApiClient } from "./api-client.js";
import { ApiError, errorMessage } from "./api-client.js";

/** One response of `GET /v1/batches/{id}/results?partial=true` (docs/partial-results.md). */
export interface PartialPage {
  /** The lines, whole: a page is bounded by its `limit` of records. */
  lines: Buffer;
  /** Records covered: the cursor moved from the one asked for to `nextCursor`. */
  nextCursor: number;
  /** The batch has ended and every line has been served. */
  complete: boolean;
  /** The batch's ended and total records when the page was read (for progress). */
  ended: number;
  total: number;
}

export interface PartialPageRequest {
  after: number;
  limit: number;
  /** OpenAI's error file instead of the output file. */
  errors?: boolean;
  /** Cover no record at or after this cursor. */
  until?: number;
}

/**
 * Reads one page of a batch's partial results, whole, before anything is written: a response cut
 * part-way fails here (its lines are dropped and the page is read again from the same cursor),
 * so the output never holds a line twice nor skips one.
 */
export async function readPartialPage(
  client: ApiClient,
  batchId: string,
  r: PartialPageRequest,
): Promise<PartialPage> {
  const q = new URLSearchParams({ partial: "true", after: String(r.after), limit: String(r.limit) });
  if (r.errors) q.set("errors", "true");
  if (r.until !== undefined) q.set("until", String(r.until));
  const res = await client.request("GET", `/v1/batches/${encodeURIComponent(batchId)}/results?${q}`);
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode >= 400) throw new ApiError(res.statusCode, errorMessage(body.toString("utf8")));
  const header = (name: string): string => {
    const v = res.headers[name];
    const value = Array.isArray(v) ? v[0] : v;
    if (value === undefined) {
      throw new ApiError(res.statusCode, `the server sent no ${name} header: it predates partial results.`);
    }
    return value;
  };
  return {
    lines: body,
    nextCursor: Number(header("docket-next-cursor")),
    complete: header("docket-complete") === "true",
    ended: Number(res.headers["docket-records-ended"] ?? 0),
    total: Number(res.headers["docket-records-total"] ?? 0),
  };
}
