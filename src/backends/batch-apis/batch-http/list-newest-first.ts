import { BatchApiError } from "./batch-api-error.js";

/** One page of a provider's cursor-paged list (OpenAI's and Anthropic's share this shape). */
export interface ListPage<T> {
  data: T[];
  has_more?: boolean;
  last_id?: string | null;
}

/**
 * A provider's list, newest first, page by page, down to the first item `isOlder` cuts off.
 * Listing stops after `maxPages` with a `too_many_batches` error rather than paging forever.
 */
export async function* listNewestFirst<T extends { id: string }>(o: {
  /** One page after the cursor (null: the first page). */
  page: (after: string | null) => Promise<ListPage<T>>;
  isOlder: (item: T) => boolean;
  pageSize: number;
  maxPages: number;
  /** For the error: what is listed ("batches") and since when. */
  what: string;
  sinceMs: number;
}): AsyncGenerator<T> {
  let after: string | null = null;
  for (let page = 0; page < o.maxPages; page++) {
    const list: ListPage<T> = await o.page(after);
    for (const item of list.data) {
      if (o.isOlder(item)) return;
      yield item;
    }
    const last = list.data[list.data.length - 1];
    if (!list.has_more || !last) return;
    after = list.last_id ?? last.id;
  }
  throw new BatchApiError(
    `More than ${o.maxPages * o.pageSize} ${o.what} since ${new Date(o.sinceMs).toISOString()}; stopped listing.`,
    null,
    "too_many_batches",
    false,
  );
}
