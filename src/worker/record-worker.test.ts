import { describe, expect, it } from "vitest";
import type { Backend, BackendResult } from "../backends/backend.js";
import type { BackendRegistry } from "../backends/backend-registry.js";
import type { RouteConfig } from "../config/config.js";
import type { ClaimedRecord } from "../domain/record.js";
import type { JobKinds } from "../jobs/job-kind.js";
import type { Store } from "../store/store.js";
import { RecordWorker } from "./record-worker.js";

const route = {
  name: "r",
  models: ["*"],
  backend: { type: "openai", baseUrl: "http://127.0.0.1:1" },
  concurrency: 2,
  timeoutMs: 60_000,
  maxAttempts: 3,
} as RouteConfig;

function record(id: number): ClaimedRecord {
  return {
    id,
    jobId: "job-1",
    projectId: "default",
    customId: `c-${id}`,
    route: "r",
    kind: "batch",
    endpoint: "/v1/chat/completions",
    body: "{}",
    attempt: 1,
    maxAttempts: 3,
  };
}

const answer: BackendResult = { ok: true, statusCode: 200, requestId: null, body: "{}", usage: null };
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/**
 * A worker over a store whose second claim stays in the store until the test lets it go, and a
 * backend whose answers the test sends: what starts while a claim is under way can be seen.
 */
function harness() {
  const sent: number[] = [];
  const answers = new Map<number, (r: BackendResult) => void>();
  const claims: Array<(records: ClaimedRecord[]) => void> = [];
  let claimsAsked = 0;
  const store = {
    claimRecords: () => {
      claimsAsked++;
      // The first claim brings three records for two slots; the next ones wait for the test.
      if (claimsAsked === 1) return Promise.resolve([record(1), record(2), record(3)]);
      return new Promise<ClaimedRecord[]>((resolve) => claims.push(resolve));
    },
    recordResults: async () => ({ refused: [] }),
    releaseRecords: async () => {},
    renewLeases: async () => [],
    nextRunAt: async () => null,
    listBudgetedJobs: async () => [],
  } as unknown as Store;
  const kinds = {
    batch: {
      send: (_backend: Backend, r: ClaimedRecord) => {
        sent.push(r.id);
        return new Promise<BackendResult>((resolve) => answers.set(r.id, resolve));
      },
    },
  } as unknown as JobKinds;
  const worker = new RecordWorker({
    store,
    backends: { get: () => ({}) } as unknown as BackendRegistry,
    kinds,
    routes: [route],
    owner: "test",
    leaseMs: 60_000,
    claimBatch: 64,
    pollMs: 60_000,
  });
  return { worker, sent, answers, claims, claimsAsked: () => claimsAsked };
}

describe("RecordWorker", () => {
  it("starts a prefetched record in a freed slot while a claim is still in the store", async () => {
    const h = harness();
    h.worker.start();
    await turns(10);
    expect(h.sent).toEqual([1, 2]);
    // Two slots busy and one record left: the worker went on to claim more, and that claim waits.
    expect(h.claimsAsked()).toBe(2);
    h.answers.get(1)!(answer);
    await turns(3);
    expect(h.sent).toEqual([1, 2, 3]);
    h.claims[0]!([]);
    h.answers.get(2)!(answer);
    h.answers.get(3)!(answer);
    await h.worker.stop(0);
  });

  it("sends no prefetched record of a job stopped while a claim is in the store", async () => {
    const h = harness();
    h.worker.start();
    await turns(10);
    expect(h.claimsAsked()).toBe(2);
    h.worker.stopJob("job-1");
    h.answers.get(1)!(answer);
    await turns(3);
    expect(h.sent).toEqual([1, 2]);
    h.claims[0]!([]);
    h.answers.get(2)!(answer);
    await turns(3);
    expect(h.sent).toEqual([1, 2]);
    await h.worker.stop(0);
  });
});
