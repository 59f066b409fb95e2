import type { FinishedRecord } from "../domain/record.js";

/**
 * The Docket extension member that ends the output line of a record answered without its own
 * call (docs/dedup-and-cache.md), so nobody takes it for a fresh one: `"docket":{"cached":true}`
 * for an answer from the response cache, `"docket":{"deduplicated":true}` for one its job's
 * identical request (its leader) got. Empty for every other record: those lines are unchanged.
 * Added after the line's own members, so the answer itself stays byte for byte as stored.
 */
export function servedMarker(r: FinishedRecord): string {
  if (r.servedFrom === "cache") return ',"docket":{"cached":true}';
  if (r.servedFrom === "leader") return ',"docket":{"deduplicated":true}';
  return "";
}
