import { invalidRequest } from "../../domain/errors.js";
import type { RequestContext } from "../deps.js";
import { readOptional } from "../query.js";

/** `?interval_ms=` (100–10000) lets a UI ask for faster or slower updates; absent: `fallbackMs`. */
export function pollInterval(ctx: RequestContext, fallbackMs: number): number {
  const raw = readOptional(ctx.query, "interval_ms");
  if (raw === undefined) return fallbackMs;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 100 || ms > 10_000) {
    throw invalidRequest(
      `'interval_ms' must be an integer between 100 and 10000; got '${raw}'.`,
      "interval_ms",
    );
  }
  return ms;
}
