import { recordIdOfDocketKey } from "../../../src/backends/batch-apis/batch-http/docket-key.js";
import { startFakeBackend } from "../../../src/backends/fake/fake-backend-server.js";
import type { Job } from "../../../src/domain/job.js";
import { startTestDocket } from "../../support/test-docket.js";
import { chatJob, finishedOf } from "../offload-harness.js";
import { maxOverlap, type ProviderTarget, type TargetKind } from "../provider-target.js";

const MODEL = "fake-model";
/** Past every window the provider Docket gives a batch (24 h): what it has not run expires. */
const PAST_THE_WINDOW_MS = 25 * 3_600_000;
/** The provider's model, slowed while an expiry is armed so a batch can be caught half done. */
const PACED_LATENCY_MS = 20;
const STALL_MS = 600_000;
const LIST = 100;

/**
 * openai-batch against a second Docket (the provider): its OpenAI Files + Batches API over its
 * fake model backend, driven by Docket's openai-batch client; on-demand, another fake backend.
 * The provider runs each request once (maxAttempts 1), so a server error its model answers
 * reaches Docket as the request's error line, as OpenAI's would.
 */
export const openaiTarget: TargetKind = {
  kind: "openai-batch",
  async start(): Promise<ProviderTarget> {
    const provider = await startTestDocket({
      route: { maxAttempts: 1, timeoutMs: STALL_MS * 2 },
      // The provider's durability is not under test: no fsync per result commit.
      tune: (c) => {
        c.worker.sqliteSynchronous = "NORMAL";
      },
    });
    const online = await startFakeBackend({});
    const store = provider.docket.store;
    let expireArmed = false;
    const batches = async (): Promise<Job[]> => {
      const jobs = await store.listJobs({ limit: LIST, kind: "batch" });
      if (jobs.length >= LIST) throw new Error(`the provider holds ${LIST}+ batches: more than a test makes`);
      return jobs;
    };
    return {
      kind: "openai-batch",
      model: MODEL,
      batchBackend: (quotas) => ({
        type: "openai-batch",
        baseUrl: `${provider.docket.url}/v1`,
        apiKey: "test",
        ...quotas,
      }),
      onlineBackend: () => ({ type: "openai", baseUrl: online.url }),
      job: (s, n, route, o = {}) => chatJob(s, n, route, o),
      customId: (i) => `r${i}`,
      setFaults(f) {
        if (f.errorRate !== undefined) provider.fake.setOptions({ rate500: f.errorRate });
        if (f.expireHalfDone !== undefined) {
          expireArmed = f.expireHalfDone;
          provider.fake.setOptions({ latencyMs: f.expireHalfDone ? PACED_LATENCY_MS : 0 });
        }
        if (f.stall !== undefined) provider.fake.setOptions({ latencyMs: f.stall ? STALL_MS : 0 });
      },
      endInFlight() {},
      async tick() {
        if (!expireArmed) return;
        const halfDone = (await batches()).some((b) => {
          const done = b.tally.succeeded + b.tally.failed;
          return b.status === "in_progress" && done > 0 && done * 2 <= b.counts.total;
        });
        // The provider's clock jumps past the window: its sweep expires what is still open.
        if (halfDone) await store.expireJobs(Date.now() + PAST_THE_WINDOW_MS);
      },
      jobsCreated: async () => (await batches()).length,
      async maxInFlight() {
        // Validating to finalizing holds a slot (as the client counts them); any end frees it.
        return maxOverlap(
          (await batches()).map((b) => {
            const ends = [b.completedAt, b.failedAt, b.expiredAt, b.cancellingAt, b.cancelledAt];
            const ended = ends.filter((t): t is number => t !== null);
            return { start: b.createdAt, end: ended.length > 0 ? Math.min(...ended) : null };
          }),
        );
      },
      async sentPerRecord() {
        const sent = new Map<number, number>();
        for (const b of await batches()) {
          for (const r of await finishedOf(store, b.id)) {
            const id = recordIdOfDocketKey(r.customId);
            if (id === null)
              throw new Error(`the provider received a custom_id Docket did not make: ${r.customId}`);
            sent.set(id, (sent.get(id) ?? 0) + 1);
          }
        }
        return sent;
      },
      onlineRequests: () => online.stats().requests,
      async close() {
        await provider.close();
        await online.close();
      },
    };
  },
};
