import type { IncomingHttpHeaders } from "node:http";
import type { JobDedupOptions } from "../domain/dedup.js";
import { invalidRequest } from "../domain/errors.js";

/**
 * A batch's dedup and cache choice (docs/dedup-and-cache.md), Docket extensions: the body fields
 * `docket_dedup` / `docket_cache` (true or false) of `POST /v1/batches`, or the headers
 * `Docket-Dedup` / `Docket-Cache` (`true`/`false`, `on`/`off`, `1`/`0`) on any create — the only
 * way on `POST /v1/messages/batches`, whose body takes nothing but `requests`. A body field wins
 * over its header. Undefined when neither is given: the job follows its routes' settings.
 */
export function parseDedupOptions(
  body: Record<string, unknown> | null,
  headers: IncomingHttpHeaders,
): JobDedupOptions | undefined {
  const dedup = choice(body?.docket_dedup, "docket_dedup") ?? header(headers["docket-dedup"], "Docket-Dedup");
  const cache = choice(body?.docket_cache, "docket_cache") ?? header(headers["docket-cache"], "Docket-Cache");
  if (dedup === null && cache === null) return undefined;
  return { dedup, cache };
}

function choice(v: unknown, field: string): boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "boolean")
    throw invalidRequest(`'${field}' must be true or false; got ${JSON.stringify(v)}.`, field);
  return v;
}

const YES = new Set(["true", "on", "1"]);
const NO = new Set(["false", "off", "0"]);

function header(v: string | string[] | undefined, name: string): boolean | null {
  if (v === undefined) return null;
  const text = (Array.isArray(v) ? v.join(",") : v).trim().toLowerCase();
  if (YES.has(text)) return true;
  if (NO.has(text)) return false;
  throw invalidRequest(`The ${name} header must be true or false; got ${JSON.stringify(text)}.`, name);
}
