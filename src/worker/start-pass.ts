import type { ClaimedRecord } from "../domain/record.js";
import type { ProjectRouteGate, ProjectRouteGates } from "../limits/project-route-gates.js";
import { estimateRequestTokens } from "../limits/token-estimate.js";
import type { RouteSlot } from "./record-worker-options.js";

/** What a start pass does with what it lets through. */
export interface StartHooks {
  /** Starts the record's attempt (its slot's `inFlight` grows). */
  start(
    slot: RouteSlot,
    record: ClaimedRecord,
    estimatedTokens: number,
    project: ProjectRouteGate | null,
  ): void;
  /** The route's own gate is closed for `waitMs`: look again then. */
  holdRoute(slot: RouteSlot, waitMs: number): void;
}

/** Starts a route's prefetched records in order while its gate lets them. */
export function startRoute(s: RouteSlot, now: number, hooks: StartHooks): void {
  while (s.inFlight < s.gate.concurrency && s.queue.length > 0) {
    const record = s.queue[0]!;
    const tokens = s.config.tpm ? estimateRequestTokens(record.body, record.bodyParts?.bytes) : 0;
    const wait = s.gate.tryStart(tokens, now);
    if (wait > 0) {
      hooks.holdRoute(s, wait);
      return;
    }
    s.queue.shift();
    hooks.start(s, record, tokens, null);
  }
}

/**
 * The start pass when projects have their own ceilings on routes: a record whose project is
 * at its ceiling on the route is passed over (it stays queued, in order) and the next
 * project's record starts, so one project's limit never holds another's work. Returns in how
 * many ms a held project's rate opens (Infinity: none is held by its rate); the pass is looked
 * at again then, or when one of the held project's requests ends.
 */
export function startRouteByProject(
  s: RouteSlot,
  now: number,
  gates: ProjectRouteGates,
  hooks: StartHooks,
): number {
  s.heldProjects.clear();
  let reopensIn = Number.POSITIVE_INFINITY;
  for (let i = 0; s.inFlight < s.gate.concurrency && i < s.queue.length; ) {
    const record = s.queue[i]!;
    if (s.heldProjects.has(record.projectId)) {
      i++;
      continue;
    }
    const project = gates.of(s.config, record.projectId);
    const countsTokens = s.config.tpm !== undefined || project?.limits.tpm !== undefined;
    const tokens = countsTokens ? estimateRequestTokens(record.body, record.bodyParts?.bytes) : 0;
    const projectWait = project?.tryStart(tokens, now) ?? 0;
    if (projectWait > 0) {
      s.heldProjects.add(record.projectId);
      reopensIn = Math.min(reopensIn, projectWait);
      i++;
      continue;
    }
    const wait = s.gate.tryStart(tokens, now);
    if (wait > 0) {
      project?.refund(tokens, now);
      hooks.holdRoute(s, wait);
      break;
    }
    s.queue.splice(i, 1);
    hooks.start(s, record, tokens, project);
  }
  return reopensIn;
}

/** Prefetched records that could start: those of projects held at their ceiling wait aside. */
export function runnableQueued(s: RouteSlot): number {
  if (s.heldProjects.size === 0) return s.queue.length;
  let n = 0;
  for (const r of s.queue) if (!s.heldProjects.has(r.projectId)) n++;
  return n;
}
