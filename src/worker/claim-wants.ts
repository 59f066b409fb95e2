import type { ClaimRequest } from "../store/record-store.js";

/** A route's load as the claim sees it. */
export interface RouteHold {
  route: string;
  /** The route's concurrency now (told, or the adaptive loop's). */
  concurrency: number;
  inFlight: number;
  /** Prefetched records that could start (a project held at its ceiling does not count). */
  runnable: number;
  /** Projects at their own ceiling on the route: none of theirs is claimed. */
  heldProjects: ReadonlySet<string>;
}

/**
 * Per route, how many more records to claim: up to 2× its concurrency held (in flight plus
 * prefetched), taken in chunks of nearly a concurrency (at most `claimBatch`). Every claim costs a
 * transaction whatever its size, so chunks stay large; an eighth of the concurrency is still
 * waiting when a claim starts, so slots freed while it is in the store find a record.
 */
export function claimWants(holds: Iterable<RouteHold>, claimBatch: number): ClaimRequest["routes"] {
  const wants: ClaimRequest["routes"] = [];
  for (const h of holds) {
    const room = 2 * h.concurrency - h.inFlight - h.runnable;
    if (room >= claimThreshold(h.concurrency, claimBatch) || (room > 0 && h.inFlight === 0)) {
      wants.push({
        route: h.route,
        limit: Math.min(room, claimBatch),
        ...(h.heldProjects.size > 0 ? { skipProjects: [...h.heldProjects] } : {}),
      });
    }
  }
  return wants;
}

/** The room that starts a claim: a concurrency less an eighth, at most `claimBatch`, at least 1. */
export function claimThreshold(concurrency: number, claimBatch: number): number {
  return Math.max(1, Math.min(claimBatch, concurrency - Math.ceil(concurrency / 8)));
}
