import { recordIdOfBedrockKey } from "../../../src/backends/batch-apis/bedrock-batch/record-key.js";
import { startFakeBedrock } from "../../../src/backends/fake-bedrock/fake-bedrock-server.js";
import { startFakeBedrockBatch } from "../../../src/backends/fake-bedrock-batch/fake-bedrock-batch-server.js";
import { startS3rver } from "../../support/s3rver.js";
import { BUCKET, bedrockBatchBackend, bedrockJob, MODEL } from "../offload-harness.js";
import type { ProviderTarget, TargetKind } from "../provider-target.js";

/** Fast enough for 120,000 records, slow enough that two jobs are in flight together. */
const TURNAROUND_MS = 50;
/** A stalled job: it answers nothing while the test runs. */
const STALL_MS = 600_000;

/**
 * bedrock-batch: the fake Bedrock control plane over a real S3 (s3rver), driven by the official
 * AWS SDK; on-demand, the fake Bedrock Runtime.
 */
export const bedrockTarget: TargetKind = {
  kind: "bedrock-batch",
  async start(): Promise<ProviderTarget> {
    const s3rver = await startS3rver([BUCKET]);
    const fake = await startFakeBedrockBatch({
      s3: { endpoint: s3rver.endpoint, credentials: s3rver.credentials },
      turnaroundMs: TURNAROUND_MS,
      // Above any route's quota in these tests: the route's own slots are what is tested.
      maxJobsInFlight: 10,
      minRecordsPerJob: 1,
      seed: 7,
    });
    const runtime = await startFakeBedrock({});
    const target = { fakeUrl: fake.url, s3Endpoint: s3rver.endpoint, credentials: s3rver.credentials };
    return {
      kind: "bedrock-batch",
      model: MODEL,
      batchBackend: (quotas) => bedrockBatchBackend("batch", target, quotas),
      onlineBackend: () => ({
        type: "bedrock",
        region: "us-east-1",
        endpoint: runtime.url,
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: "secret",
      }),
      job: (store, n, route, o = {}) => bedrockJob(store, n, route, o),
      customId: (i) => `r${i}`,
      setFaults(f) {
        fake.setOptions({
          ...(f.errorRate !== undefined ? { recordRetryableFailureRate: f.errorRate } : {}),
          ...(f.expireHalfDone !== undefined ? { expireBeforeCompletion: f.expireHalfDone } : {}),
          ...(f.stall !== undefined ? { turnaroundMs: f.stall ? STALL_MS : TURNAROUND_MS } : {}),
          ...(f.turnaroundMs !== undefined ? { turnaroundMs: f.turnaroundMs } : {}),
        });
      },
      endInFlight: () => fake.endInFlight(),
      tick: async () => {},
      jobsCreated: async () => fake.stats().jobsCreated,
      maxInFlight: async () => fake.stats().maxInFlightObserved[MODEL] ?? 0,
      async sentPerRecord() {
        const sent = new Map<number, number>();
        for (const [key, n] of Object.entries(fake.stats().recordsSubmitted)) {
          const id = recordIdOfBedrockKey(key);
          if (id === null) throw new Error(`the fake received a record key Docket did not make: ${key}`);
          sent.set(id, n);
        }
        return sent;
      },
      onlineRequests: () => runtime.stats().requests,
      async close() {
        await runtime.close();
        await fake.close();
        await s3rver.close();
      },
    };
  },
};
