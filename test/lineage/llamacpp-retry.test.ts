import { describe, expect, it } from "vitest";
import { tinyLlamaRoute, writeTinyModel } from "../support/llama-route.js";
import { startTestDocket } from "../support/test-docket.js";
import {
  customIdOf,
  fileText,
  mergedText,
  parseLines,
  retry,
  submitLines,
  waitDone,
} from "./lineage-harness.js";

/**
 * A retry on the in-process llama.cpp engine (a dummy model: random tokens). Answers cut at
 * `max_tokens` are found in the engine's own OpenAI answers (`finish_reason: "length"`) and
 * retried with a larger limit; the merged results take the child's answers for them.
 */
describe("retry with lineage on llama.cpp", () => {
  it("retries the truncated answers with a larger max_tokens", async () => {
    const t = await startTestDocket({ tune: (c) => (c.routes = [tinyLlamaRoute(c.dataDir)]) });
    try {
      await writeTinyModel(t.dataDir, 5);
      const lines = Array.from({ length: 30 }, (_, i) =>
        JSON.stringify({
          custom_id: customIdOf(i),
          method: "POST",
          url: "/v1/chat/completions",
          body: { model: "tiny", max_tokens: 2, messages: [{ role: "user", content: `Say ${i}.` }] },
        }),
      );
      const root = await waitDone(t.openai, (await submitLines(t, lines)).id, 240_000);
      expect(root.request_counts).toEqual({ total: 30, completed: 30, failed: 0 });
      const cut = parseLines(await fileText(t.openai, root.output_file_id)).filter(
        (l) => l.response?.body.choices?.[0]?.finish_reason === "length",
      );
      expect(cut.length).toBeGreaterThan(0);

      const child = await retry(t.openai, root.id, { only: ["truncated"], overrides: { max_tokens: 3 } });
      expect(child.docket_retry).toEqual({
        records: cut.length,
        reasons: { truncated: cut.length },
        scope: "batch",
      });
      const done = await waitDone(t.openai, child.id, 240_000);
      expect(done.request_counts).toEqual({ total: cut.length, completed: cut.length, failed: 0 });
      const childInput = (await fileText(t.openai, done.input_file_id)).trimEnd().split("\n");
      expect(childInput.map((l) => JSON.parse(l).body.max_tokens)).toEqual(cut.map(() => 3));

      const childLines = new Set((await fileText(t.openai, done.output_file_id)).trimEnd().split("\n"));
      const merged = (await mergedText(t, root.id)).trimEnd().split("\n");
      expect(merged.map((l) => JSON.parse(l).custom_id)).toEqual(lines.map((_, i) => customIdOf(i)));
      const retried = new Set(cut.map((l) => l.custom_id));
      for (const l of merged) expect(childLines.has(l)).toBe(retried.has(JSON.parse(l).custom_id));
    } finally {
      await t.close();
    }
  }, 300_000);
});
