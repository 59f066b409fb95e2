import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bedrockRecordKey } from "../../src/backends/batch-apis/bedrock-batch/record-key.js";
import {
  type FakeBedrockBatch,
  startFakeBedrockBatch,
} from "../../src/backends/fake-bedrock-batch/fake-bedrock-batch-server.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { type RunningS3rver, startS3rver } from "../support/s3rver.js";
import { crashDb, expectAllSucceeded, runChild } from "./crash-harness.js";
import { BUCKET, bedrockJob } from "./offload-harness.js";

/**
 * A SIGKILL at the worst moments of a provider job (issue 13): part-way through the upload,
 * between the provider making the job and Docket recording its id, and part-way through ingest.
 * After a restart nothing is submitted twice (the fake's counts) and each record has one result.
 */
describe("provider batch jobs survive SIGKILL", () => {
  let s3rver: RunningS3rver;
  let fake: FakeBedrockBatch;

  beforeAll(async () => {
    s3rver = await startS3rver([BUCKET]);
    fake = await startFakeBedrockBatch({
      s3: { endpoint: s3rver.endpoint, credentials: s3rver.credentials },
      turnaroundMs: 50,
    });
  });
  afterAll(async () => {
    await fake?.close();
    await s3rver?.close();
  });

  for (const dieAt of ["upload", "created", "ingest"]) {
    it(`killed at '${dieAt}', restarted: each record submitted once, one result each`, async () => {
      const N = 6_000;
      const { dbPath, jobId } = await crashDb((setup) => bedrockJob(setup, N, "crash"));
      const before = fake.stats();
      const env = {
        DB_PATH: dbPath,
        FAKE_URL: fake.url,
        S3_ENDPOINT: s3rver.endpoint,
        JOB_ID: jobId,
        TOTAL: String(N),
      };

      const crashed = await runChild({ ...env, DIE_AT: dieAt });
      expect(crashed.signal, crashed.out).toBe("SIGKILL");
      if (dieAt === "ingest") {
        // The crash came part-way: some results were written, and are not written again.
        const mid = openSqliteStore({ path: dbPath });
        const written = (await mid.getJob(jobId))!.tally.succeeded;
        await mid.close();
        expect(written).toBeGreaterThan(0);
        expect(written).toBeLessThan(N);
      }
      const restarted = await runChild(env);
      expect(restarted.code, restarted.out).toBe(0);

      const store = openSqliteStore({ path: dbPath });
      try {
        const finished = await expectAllSucceeded(store, jobId, N, (i) => `r${i}`);
        const pjs = await store.providerJobsOfJob(jobId);
        const stats = fake.stats();
        // The restart found the provider job it had made: one job per token, as many as were recorded.
        const made = Object.entries(stats.jobsByToken).filter(([t, n]) => n !== (before.jobsByToken[t] ?? 0));
        expect(made.every(([t, n]) => n - (before.jobsByToken[t] ?? 0) === 1)).toBe(true);
        expect(stats.jobsCreated - before.jobsCreated).toBe(
          pjs.filter((p) => p.providerJob.providerJobId).length,
        );
        expect(pjs.every((p) => p.providerJob.state === "done" || p.providerJob.state === "cancelled")).toBe(
          true,
        );
        // Each record read by the provider exactly once (ids repeat across these databases: deltas).
        const twice = finished.filter((r) => {
          const key = bedrockRecordKey(r.id);
          return (stats.recordsSubmitted[key] ?? 0) - (before.recordsSubmitted[key] ?? 0) !== 1;
        });
        expect(twice.length).toBe(0);
      } finally {
        await store.close();
      }
    }, 90_000);
  }
});
