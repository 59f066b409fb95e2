import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Job } from "../../src/domain/job.js";
import { streamJobEvents } from "../../src/events/sse/job-event-stream.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { insertTestJob } from "../store-contract/fixtures.js";
import { rawConnect, until, within } from "./raw-http.js";

const KB = 1024;
const BOUND = 256 * KB;

/**
 * SSE writes respect backpressure: a client that never reads is dropped once its backlog passes
 * a bound or it has not drained for the drain timeout; the server never buffers without limit.
 */
describe("SSE backpressure", () => {
  let dir: string;
  let store: Store;
  let server: Server;
  let url: string;
  let jobId: string;
  /** Every snapshot differs from the last (the counts move), so every poll produces an event. */
  let snapshots: number;
  let terminalAfter: number;
  /** How long a client may read nothing before it is dropped; set per test before it connects. */
  let drainTimeoutMs: number;
  let streams: Array<{ res: ServerResponse; done: Promise<void>; peak: () => number }>;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "docket-sse-"));
    store = openSqliteStore({ path: path.join(dir, "docket.sqlite"), synchronous: "NORMAL" });
    // ~8 KB per event (16 metadata values of 500 characters), so buffers fill fast.
    const metadata = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, "m".repeat(500)]));
    jobId = await insertTestJob(store, { metadata });
    snapshots = 0;
    terminalAfter = Number.POSITIVE_INFINITY;
    drainTimeoutMs = 1_000;
    streams = [];
    const moving = {
      getJob: async (id: string): Promise<Job | undefined> => {
        const job = await store.getJob(id);
        if (!job) return undefined;
        snapshots++;
        const status = snapshots >= terminalAfter ? "completed" : "in_progress";
        return { ...job, status, counts: { ...job.counts, total: 1_000_000, completed: snapshots } };
      },
    } as unknown as Store;
    server = createServer((_req, res) => {
      let peak = 0;
      const sample = setInterval(() => {
        peak = Math.max(peak, res.writableLength);
      }, 1);
      const done = streamJobEvents(res, {
        store: moving,
        jobId,
        pollMs: 1,
        base: "http://test",
        maxBufferedBytes: BOUND,
        drainTimeoutMs,
      }).finally(() => clearInterval(sample));
      streams.push({ res, done, peak: () => Math.max(peak, res.writableLength) });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("drops a client that never reads, with its backlog bounded all along", async () => {
    const conn = await rawConnect(url);
    conn.socket.write(`GET /events HTTP/1.1\r\nHost: test\r\n\r\n`);
    conn.socket.pause(); // never read a byte: the kernel buffers fill, then the server's
    await until(() => streams.length === 1, 10_000, "stream starts");
    const stream = streams[0]!;
    await within(stream.done, 20_000, "the stream gives up on the client");
    expect(stream.res.destroyed).toBe(true);
    // Many events were produced (the socket buffers filled), yet the backlog stayed bounded.
    expect(snapshots).toBeGreaterThan(20);
    expect(stream.peak()).toBeLessThanOrEqual(BOUND);
    // And the stream stopped polling once it gave up.
    const after = snapshots;
    await new Promise((r) => setTimeout(r, 100));
    expect(snapshots).toBe(after);
    conn.socket.resume();
    await within(conn.closed, 10_000, "client sees the connection closed");
  });

  it("keeps a client that reads, however many events there are", async () => {
    terminalAfter = 600;
    // The reader shares this process with the server: on a loaded machine the process can stall
    // for over a second, and its drain timer then fires before the reads are seen (timers run
    // before I/O in Node's loop). The point here is that reading keeps the client, not how fast.
    drainTimeoutMs = 10_000;
    const res = await request(`${url}/events`);
    const text = await within(res.body.text(), 20_000, "stream to end");
    const events = text.match(/^event: /gm)?.length ?? 0;
    // Over 300 events of ~8 KB: more than ten times the backlog bound went through.
    expect(events).toBeGreaterThan(300);
    expect(text).toContain("event: end");
  });
});
