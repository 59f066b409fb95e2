import type { BatchView } from "./batch-types.js";

/**
 * What identical requests once saved a batch (docs/dedup-and-cache.md), as a line of
 * `docket status`; null when it saved nothing (the line is left out).
 */
export function describeSavings(b: Pick<BatchView, "dedup">): string | null {
  const d = b.dedup;
  if (!d || d.deduplicated_requests + d.cached_requests === 0) return null;
  const usd =
    d.saved_usd > 0 ? ` ($${d.saved_usd < 1 ? d.saved_usd.toFixed(4) : d.saved_usd.toFixed(2)})` : "";
  return (
    `  not sent: ${d.deduplicated_requests} identical to another request, ${d.cached_requests} from the cache; ` +
    `saved ${d.saved_input_tokens} input + ${d.saved_output_tokens} output tokens${usd}`
  );
}
