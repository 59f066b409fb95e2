import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { crashDb, expectAllSucceeded, runChild } from "./crash-harness.js";
import { messagesJob } from "./offload-harness.js";

describe("provider batch jobs on anthropic-batch survive SIGKILL", () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic({});
    fake.batches.setOptions({ turnaroundMs: 50 });
  });
  afterAll(async () => {
    await fake?.close();
  });

  for (const dieAt of ["upload", "created", "ingest", "ingest-threaded"]) {
    it(`killed at '${dieAt}', restarted: each request in one Message Batch only, one result each`, async () => {
      const N = 6_000;
      const { dbPath, jobId } = await crashDb((setup) => messagesJob(setup, N, "crash"));
      const before = fake.batches.stats();
      const env = { DB_PATH: dbPath, ANTHROPIC_BATCH_URL: fake.url, JOB_ID: jobId, TOTAL: String(N) };

      const crashed = await runChild({ ...env, DIE_AT: dieAt });
      expect(crashed.signal, `${crashed.code} ${crashed.out}`).toBe("SIGKILL");
      const restarted = await runChild(env);
      expect(restarted.code, restarted.out).toBe(0);

      const store = openSqliteStore({ path: dbPath });
      try {
        await expectAllSucceeded(store, jobId, N, (i) => `req-${i}`);
        const pjs = await store.providerJobsOfJob(jobId);
        const stats = fake.batches.stats();
        expect(stats.created - before.created).toBe(pjs.filter((p) => p.providerJob.providerJobId).length);
        const sent = Object.entries(stats.submittedPerCustomId).filter(
          ([k]) => before.submittedPerCustomId[k] === undefined,
        );
        expect(sent.length).toBe(N);
        expect(sent.every(([, n]) => n === 1)).toBe(true);
      } finally {
        await store.close();
      }
    }, 90_000);
  }
});
