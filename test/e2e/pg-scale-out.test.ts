import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type OpenAI from "openai";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type FakeBackend, startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { describePostgres } from "../store/pg-test-db.js";
import { chatBatchLines, parseJsonl, writeLines } from "../support/batch-files.js";
import { type DocketFleet, type FleetWorker, startFleet, waitFor } from "../support/docket-fleet.js";

/**
 * `docket api` + `docket worker` processes on one PostgreSQL database: crashes, failover and
 * graceful shutdown, with the processes really killed.
 */
describePostgres("scale-out on PostgreSQL", (url) => {
  let fake: FakeBackend;
  let dir: string;
  let fleet: DocketFleet | undefined;

  beforeAll(async () => {
    fake = await startFakeBackend({ latencyMs: 20 });
    dir = mkdtempSync(join(tmpdir(), "docket-scale-"));
  });
  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
    fake.setOptions({ latencyMs: 20 });
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function submit(openai: OpenAI, n: number, name: string) {
    const lines = chatBatchLines(n);
    const input = writeLines(join(dir, `${name}.jsonl`), lines);
    const file = await openai.files.create({ file: createReadStream(input), purpose: "batch" });
    const batch = await openai.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    return { batch, ids: lines.map((l) => (JSON.parse(l) as { custom_id: string }).custom_id) };
  }

  async function finished(f: DocketFleet, id: string, timeoutMs: number) {
    return waitFor(
      async () => {
        const b = await f.openai.batches.retrieve(id);
        return ["completed", "failed", "cancelled", "expired"].includes(b.status) && b;
      },
      timeoutMs,
      `batch ${id} to finish`,
      200,
    );
  }

  async function expectExactlyOnce(f: DocketFleet, id: string, ids: string[], timeoutMs: number) {
    const done = await finished(f, id, timeoutMs);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: ids.length, completed: ids.length, failed: 0 });
    const output = parseJsonl<{ custom_id: string }>(
      await (await f.openai.files.content(done.output_file_id!)).text(),
    );
    expect(output.map((l) => l.custom_id)).toEqual(ids);
    const stuck = await f.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM records WHERE job_id = $1 AND state <> 'succeeded'",
      [id],
    );
    expect(stuck[0]!.n).toBe(0);
  }

  const runningOf = async (f: DocketFleet, owner: string) =>
    (
      await f.sql<{ id: number }>("SELECT id FROM records WHERE state = 'running' AND lease_owner = $1", [
        owner,
      ])
    ).map((r) => Number(r.id));

  it("finishes a 20,000-record batch exactly once while workers are SIGKILLed and restarted", async () => {
    fake.setOptions({ latencyMs: 5 });
    fleet = await startFleet({
      url,
      dir,
      backendUrl: fake.url,
      workers: 3,
      concurrency: 16,
      worker: { leaseMs: 2000, leaderLeaseMs: 2000, maintenanceMs: 200, pollMs: 250 },
    });
    const f = fleet;
    const { batch, ids } = await submit(f.openai, 20_000, "big");
    let kills = 0;
    let stop = false;
    const chaos = (async () => {
      while (!stop) {
        await new Promise((r) => setTimeout(r, 2000));
        if (stop) break;
        const i = Math.floor(Math.random() * f.workers.length);
        await f.kill(f.workers[i]!);
        kills++;
        f.workers[i] = await f.startWorker();
      }
    })();
    try {
      // A liveness bound, not a speed goal: ~50 s alone, but CI runs this beside three other
      // files on two cores, and every worker restart (one each 2 s) pays its start-up there too.
      await expectExactlyOnce(f, batch.id, ids, 200_000);
    } finally {
      stop = true;
      await chaos;
    }
    expect(kills).toBeGreaterThanOrEqual(3);
  }, 240_000);

  it("picks a killed worker's records up again within the lease plus one sweep", async () => {
    const leaseMs = 2000;
    const maintenanceMs = 200;
    fake.setOptions({ latencyMs: 300 });
    fleet = await startFleet({
      url,
      dir,
      backendUrl: fake.url,
      workers: 2,
      concurrency: 8,
      // a long leader lease: the survivor stays the leader, so only the record lease is measured
      worker: { leaseMs, leaderLeaseMs: 30_000, maintenanceMs, pollMs: 250 },
    });
    const f = fleet;
    const leader = await waitFor(() => f.leader(), 10_000, "a maintenance leader");
    const { batch, ids } = await submit(f.openai, 400, "lease");
    const victim = f.workers.find((w) => w.owner !== leader)!;
    const held = await waitFor(
      async () => {
        const r = await runningOf(f, victim.owner);
        return r.length > 0 && r;
      },
      20_000,
      "the victim to hold records",
      20,
    );
    const killedAt = Date.now();
    await f.kill(victim);
    await waitFor(
      async () => {
        const rows = await f.sql<{ n: number }>(
          "SELECT count(*)::int AS n FROM records WHERE id = ANY($1::bigint[]) AND lease_owner = $2 AND state = 'running'",
          [held, victim.owner],
        );
        return rows[0]!.n === 0;
      },
      20_000,
      "the victim's records to be requeued",
      20,
    );
    const recoveredMs = Date.now() - killedAt;
    // a lease renewed just before the kill lasts leaseMs; the next sweep finds it within
    // maintenanceMs; the rest is polling and scheduling slack on a busy 2-core machine
    expect(recoveredMs).toBeLessThanOrEqual(leaseMs + maintenanceMs + 1000);
    // and not at once: nobody told the survivors, the lease had to run out
    expect(recoveredMs).toBeGreaterThan(leaseMs / 4);
    await expectExactlyOnce(f, batch.id, ids, 60_000);
  }, 90_000);

  it("moves maintenance to another worker when the leader dies", async () => {
    const leaderLeaseMs = 1500;
    fleet = await startFleet({
      url,
      dir,
      backendUrl: fake.url,
      workers: 2,
      concurrency: 8,
      worker: { leaseMs: 2000, leaderLeaseMs, maintenanceMs: 200, pollMs: 250 },
    });
    const f = fleet;
    const first = await waitFor(() => f.leader(), 10_000, "a maintenance leader");
    const old = f.workers.find((w) => w.owner === first)!;
    const survivor = f.workers.find((w) => w.owner !== first)!;
    // exactly one process leads
    expect(f.workers.map((w) => w.owner)).toContain(first);
    const killedAt = Date.now();
    await f.kill(old);
    const next = await waitFor(
      async () => {
        const o = await f.leader();
        return o !== null && o !== first && o;
      },
      10_000,
      "a new leader",
    );
    expect(next).toBe(survivor.owner);
    // lease left to run + one election round (a third of the lease) + slack
    expect(Date.now() - killedAt).toBeLessThanOrEqual(leaderLeaseMs + leaderLeaseMs / 3 + 1000);
    // the new leader does the duties: a batch is finalized to completed
    const { batch, ids } = await submit(f.openai, 200, "failover");
    await expectExactlyOnce(f, batch.id, ids, 30_000);
  }, 60_000);

  it("a SIGTERMed worker gives its records back at once, long before its lease would run out", async () => {
    const leaseMs = 30_000;
    fake.setOptions({ latencyMs: 100 });
    fleet = await startFleet({
      url,
      dir,
      backendUrl: fake.url,
      workers: 2,
      concurrency: 8,
      worker: { leaseMs, maintenanceMs: 200, pollMs: 250 },
    });
    const f = fleet;
    const { batch, ids } = await submit(f.openai, 600, "graceful");
    const victim: FleetWorker = f.workers[0]!;
    await waitFor(
      async () => (await runningOf(f, victim.owner)).length > 0,
      20_000,
      "the victim to hold records",
      20,
    );
    const termAt = Date.now();
    victim.proc.kill("SIGTERM");
    expect(await victim.exited).toBe(0);
    // it stopped promptly (grace is 10 s by default, in-flight calls take 100 ms)
    expect(Date.now() - termAt).toBeLessThan(5000);
    // and left nothing leased in its name
    expect(await runningOf(f, victim.owner)).toEqual([]);
    const workers = await f.sql<{ owner: string }>("SELECT owner FROM workers");
    expect(workers.map((w) => w.owner)).not.toContain(victim.owner);
    await expectExactlyOnce(f, batch.id, ids, leaseMs / 2);
  }, 60_000);
});
