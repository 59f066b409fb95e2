import { parseWireKey } from "../../../src/backends/batch-apis/anthropic-batch/anthropic-custom-id.js";
import { startFakeAnthropic } from "../../../src/backends/fake-anthropic/fake-anthropic-server.js";
import { messagesJob } from "../offload-harness.js";
import type { ProviderTarget, TargetKind } from "../provider-target.js";

const MODEL = "claude-3-5-haiku-latest";
const TURNAROUND_MS = 50;
const STALL_MS = 600_000;

/**
 * anthropic-batch: the fake Anthropic API's Message Batches, which Docket's client drives over
 * HTTP; on-demand, the same fake's Messages API.
 */
export const anthropicTarget: TargetKind = {
  kind: "anthropic-batch",
  async start(): Promise<ProviderTarget> {
    // No in-flight limit at the fake: the route's own slots are what is tested.
    const fake = await startFakeAnthropic({ batches: { turnaroundMs: TURNAROUND_MS, maxInFlight: null } });
    return {
      kind: "anthropic-batch",
      model: MODEL,
      batchBackend: (quotas) => ({ type: "anthropic-batch", baseUrl: fake.url, apiKey: "k", ...quotas }),
      onlineBackend: () => ({ type: "anthropic", baseUrl: fake.url, apiKey: "k" }),
      job: (store, n, route, o = {}) => messagesJob(store, n, route, { model: MODEL, ...o }),
      customId: (i) => `req-${i}`,
      setFaults(f) {
        fake.batches.setOptions({
          ...(f.errorRate !== undefined ? { errorRate: f.errorRate } : {}),
          // Anthropic ends the batch and marks each request it did not run `expired`.
          ...(f.expireHalfDone !== undefined ? { expireHalf: f.expireHalfDone } : {}),
          ...(f.stall !== undefined ? { turnaroundMs: f.stall ? STALL_MS : TURNAROUND_MS } : {}),
          ...(f.turnaroundMs !== undefined ? { turnaroundMs: f.turnaroundMs } : {}),
        });
      },
      endInFlight: () => fake.batches.endInProgress(),
      tick: async () => {},
      jobsCreated: async () => fake.batches.stats().created,
      maxInFlight: async () => fake.batches.stats().maxInFlight,
      async sentPerRecord() {
        // A custom_id is `<provider job tag>-<record id>`: a record sent in two batches has two.
        const sent = new Map<number, number>();
        for (const [customId, n] of Object.entries(fake.batches.stats().submittedPerCustomId)) {
          const key = parseWireKey(customId);
          if (key === null) throw new Error(`the fake received a custom_id Docket did not make: ${customId}`);
          sent.set(key.recordId, (sent.get(key.recordId) ?? 0) + n);
        }
        return sent;
      },
      onlineRequests: () => fake.stats().byPath["/v1/messages"] ?? 0,
      close: () => fake.close(),
    };
  },
};
