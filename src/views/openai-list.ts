/** OpenAI's cursor page: `after` the last id of the previous page, `has_more` if another exists. */
export interface OpenAiList<T> {
  object: "list";
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only tells whether more exist.
 */
export function toOpenAiList<R, T extends { id: string }>(
  rows: R[],
  limit: number,
  serialize: (row: R) => T,
): OpenAiList<T> {
  const data = rows.slice(0, limit).map(serialize);
  return {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: rows.length > limit,
  };
}
