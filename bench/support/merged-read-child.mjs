// The merged read alone, in a fresh process (built code, no node flags), so its peak RSS is the
// read's own: `node merged-read-child.mjs <db path> <batch id>` prints one JSON line.
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { lineageOf, requireEnded } from "../../dist/lineage/lineage.js";
import { mergedLines } from "../../dist/lineage/merged-lines.js";
import { openSqliteStore } from "../../dist/store/sqlite/sqlite-store.js";

const [path, id] = process.argv.slice(2);
const store = openSqliteStore({ path });
const job = await store.getJob(id);
const lineage = await lineageOf(store, job);
requireEnded(lineage, "read");
let bytes = 0;
let lines = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await pipeline(
  mergedLines(store, lineage, "all"),
  new Writable({
    write(chunk, _enc, done) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 0x0a) lines++;
      done();
    },
  }),
);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
await store.close();
console.log(
  JSON.stringify({
    lines,
    bytes,
    seconds,
    cpuSeconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    batches: lineage.batches.length,
  }),
);
