import type { JobKind } from "../domain/job.js";
import type { BacklogStat } from "./backlog-store.js";

/** One stat per (route, kind) from rows per (route, kind, state); shared with PostgreSQL. */
export function foldBacklog(
  rows: Array<{
    route: string;
    kind: string;
    state: string;
    n: number | string;
    oldest: number | string | null;
  }>,
): BacklogStat[] {
  const out = new Map<string, BacklogStat>();
  for (const r of rows) {
    const kind: JobKind = r.kind === "invocation" ? "invocation" : "batch";
    const key = `${r.route}\u0000${kind}`;
    let stat = out.get(key);
    if (!stat) {
      stat = { route: r.route, kind, waiting: 0, running: 0, oldestWaitingSince: null };
      out.set(key, stat);
    }
    if (r.state === "pending") {
      stat.waiting += Number(r.n);
      stat.oldestWaitingSince = r.oldest === null ? null : Number(r.oldest);
    } else stat.running += Number(r.n);
  }
  return [...out.values()];
}
