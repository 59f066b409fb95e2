import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { startTestDocket, type TestDocket } from "../support/test-docket.js";
import { crashDb, expectAllSucceeded, runChild } from "./crash-harness.js";
import { chatJob } from "./offload-harness.js";

describe("provider batch jobs on openai-batch (a second Docket) survive SIGKILL", () => {
  let provider: TestDocket;
  beforeAll(async () => {
    provider = await startTestDocket();
  });
  afterAll(async () => {
    await provider?.close();
  });

  for (const dieAt of ["upload", "created", "ingest"]) {
    it(`killed at '${dieAt}', restarted: each record sent to the provider's model once, one result each`, async () => {
      const N = 6_000;
      const { dbPath, jobId } = await crashDb((setup) => chatJob(setup, N, "crash"));
      const requestsBefore = provider.fake.stats().requests;
      const env = {
        DB_PATH: dbPath,
        OPENAI_BATCH_URL: `${provider.docket.url}/v1`,
        JOB_ID: jobId,
        TOTAL: String(N),
      };

      const crashed = await runChild({ ...env, DIE_AT: dieAt });
      expect(crashed.signal, crashed.out).toBe("SIGKILL");
      const restarted = await runChild(env);
      expect(restarted.code, restarted.out).toBe(0);

      const store = openSqliteStore({ path: dbPath });
      try {
        await expectAllSucceeded(store, jobId, N, (i) => `r${i}`);
        const pjs = await store.providerJobsOfJob(jobId);
        // One batch at the provider per provider job that reached it, and each request run once there.
        const theirs = [];
        for await (const b of provider.openai.batches.list({ limit: 100 })) {
          if (pjs.some((p) => p.providerJob.providerJobId === b.id)) theirs.push(b);
        }
        const reached = pjs.filter((p) => p.providerJob.providerJobId !== null);
        expect(theirs.length).toBe(reached.length);
        expect(provider.fake.stats().requests - requestsBefore).toBe(N);
      } finally {
        await store.close();
      }
    }, 90_000);
  }
});
