import { describe, expect, it } from "vitest";
import { startFakeBackend } from "../../src/backends/fake/fake-backend-server.js";
import { providerBatchRoute } from "../support/provider-batch-route.js";
import { startTestDocket } from "../support/test-docket.js";
import {
  chatLine,
  customIdOf,
  mergedText,
  parseLines,
  REJECT,
  retry,
  submitLines,
  waitDone,
} from "./lineage-harness.js";

const line = (i: number) => chatLine(i, i % 10 === 0, { max_tokens: 8 });

/**
 * A retry on a provider batch route (issue 13's offload): the parent runs as provider jobs on an
 * `openai-batch` route (a second Docket playing OpenAI), the provider rejects a tenth of the
 * requests; one retry goes back through the provider, another is pinned to an on-demand route.
 */
describe("retry with lineage on a provider batch route", () => {
  it("retries through the provider and pinned to an on-demand route, then merges", async () => {
    const provider = await startTestDocket({ fake: { fail400Marker: REJECT } });
    const online = await startFakeBackend({ recordBodies: true });
    const t = await startTestDocket({
      tune: (c) => {
        c.routes = [
          providerBatchRoute(provider, { maxAttempts: 3 }),
          {
            name: "online",
            models: [],
            backend: { type: "openai", baseUrl: online.url },
            concurrency: 8,
            timeoutMs: 10_000,
            maxAttempts: 3,
          },
        ];
      },
    });
    try {
      const lines = Array.from({ length: 100 }, (_, i) => line(i));
      const root = await submitLines(t, lines);
      expect((await waitDone(t.openai, root.id)).request_counts).toEqual({
        total: 100,
        completed: 90,
        failed: 10,
      });
      expect(t.fake.stats().requests).toBe(0);

      // Half the failures pinned to the on-demand route: the provider never sees them again.
      const pinnedIds = [0, 20, 40, 60, 80].map(customIdOf);
      const pinned = await retry(t.openai, root.id, { ids: pinnedIds, route: "online" });
      expect((await waitDone(t.openai, pinned.id)).request_counts).toEqual({
        total: 5,
        completed: 5,
        failed: 0,
      });
      const sentOnline = (online.stats().bodies ?? []).map((b) => b.request).sort();
      expect(sentOnline).toEqual(
        [0, 20, 40, 60, 80].map((i) => JSON.stringify(JSON.parse(lines[i]!).body)).sort(),
      );

      // The rest back through the provider, which now takes them.
      provider.fake.setOptions({ fail400Marker: null });
      const rest = await retry(t.openai, root.id, { only: ["failed"], scope: "lineage" });
      expect(rest.docket_retry.records).toBe(5);
      expect((await waitDone(t.openai, rest.id)).request_counts).toEqual({
        total: 5,
        completed: 5,
        failed: 0,
      });
      const providerJobs = (await t.openai.get(`/batches/${rest.id}/provider_jobs`)) as { data: unknown[] };
      expect(providerJobs.data.length).toBeGreaterThan(0);

      const merged = parseLines(await mergedText(t, root.id));
      expect(merged.map((l) => l.custom_id)).toEqual(lines.map((_, i) => customIdOf(i)));
      expect(merged.every((l) => l.response?.status_code === 200)).toBe(true);
      expect(online.stats().requests).toBe(5);
    } finally {
      await t.close();
      await provider.close();
      await online.close();
    }
  }, 120_000);
});
