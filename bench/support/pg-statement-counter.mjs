/**
 * Preloaded into a `docket worker` process by the PostgreSQL benchmark (`node --import <this>`),
 * never by Docket itself: pg_stat_statements needs a server restart to load, which a shared
 * server must not get, so the statements are counted on the client side instead. Every
 * `pg.Client#query` is counted by its first keyword (BEGIN, COMMIT, SELECT, INSERT, …) and timed
 * from the call to its answer (a round trip: network, server, and the client's own queue). At
 * SIGUSR2 (the start of the measured window) and at exit, the counts and the process's CPU time
 * are noted; at exit both go to `$DOCKET_BENCH_PG_COUNT_DIR/<pid>.json`. Plain JavaScript: it
 * runs before anything is compiled.
 */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const dir = process.env.DOCKET_BENCH_PG_COUNT_DIR;
// Resolved from here, which is the same node_modules/pg Docket's dist resolves: one module instance.
const pg = createRequire(import.meta.url)("pg");

const byKind = {};
let statements = 0;
let roundTripMs = 0;

const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(...args) {
  const first = args[0];
  const text = typeof first === "string" ? first : (first?.text ?? "");
  const kind = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? "OTHER";
  byKind[kind] = (byKind[kind] ?? 0) + 1;
  statements++;
  const started = performance.now();
  const done = () => {
    roundTripMs += performance.now() - started;
  };
  const last = args.length - 1;
  if (typeof args[last] === "function") {
    const callback = args[last];
    args[last] = function timedCallback(...r) {
      done();
      return callback.apply(this, r);
    };
    return query.apply(this, args);
  }
  const result = query.apply(this, args);
  if (result && typeof result.then === "function") result.then(done, done);
  return result;
};

const snapshot = () => {
  const cpu = process.cpuUsage();
  return { statements, roundTripMs, byKind: { ...byKind }, cpuMs: (cpu.user + cpu.system) / 1000 };
};
// SIGUSR2 marks the start of the measured window (start-up and migrations come before it).
let mark = null;
process.on("SIGUSR2", () => {
  mark = snapshot();
});
process.on("exit", () => {
  if (dir) writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ mark, end: snapshot() }));
});
