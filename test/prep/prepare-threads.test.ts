import { get_encoding } from "tiktoken";
import { afterAll, describe, expect, it } from "vitest";
import { selectDialect } from "../../src/prep/dialects/select-dialect.js";
import { type PrepareItem, prepareDataset } from "../../src/prep/prepare.js";
import { parseTemplateSpec } from "../../src/prep/template/template-spec.js";
import { tempDir } from "./temp-files.js";

const dir = tempDir();
const reference = get_encoding("o200k_base");
afterAll(() => {
  dir.remove();
  reference.free();
});

const template = parseTemplateSpec(
  { model: "gpt-4o-mini", system: "Summarise the call.", user: "{{agent}}:\n{{transcript}}", max_tokens: 20 },
  "test",
);

/** Rows of every kind: multi-line (CRLF inside quotes), U+FEFF/U+0085 texts, bad rows, rows over the context. */
function csv(rows: number): string {
  const lines = ["id,agent,transcript"];
  for (let r = 1; r <= rows; r++) {
    const turns = [`Customer: call ${r} about "order" ${r * 7}.`, "Agent: sorted, thanks!"];
    for (let t = 0; t < 8; t++) turns.push(`Customer: and item ${t + r} too — £${r % 97}.${t}?`);
    let text = turns.join(r % 3 === 0 ? "\r\n" : r % 3 === 1 ? "\n" : " ");
    if (r % 17 === 0) text = `\uFEFF${text}`;
    if (r % 19 === 0) text = text.replace(" ", "\u0085");
    if (r % 23 === 0) text = "word ".repeat(300); // over a 200-token context
    lines.push(
      r % 29 === 0 ? `R${r},broken"quote,x` : `R${r},Agent ${r % 5},"${text.replaceAll('"', '""')}"`,
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

async function linesOf(countingThreads: number, dataset: string) {
  const prepared = prepareDataset({ dataset, template, idField: "id", contextLength: 200, countingThreads });
  const dialect = selectDialect("openai");
  const out: string[] = [];
  const items: PrepareItem[] = [];
  for await (const item of prepared) {
    items.push(item);
    out.push(item.kind === "request" ? JSON.stringify(dialect.toLine(item)) : JSON.stringify(item));
  }
  return { out, items, summary: prepared.summary };
}

describe("prepareDataset with counting threads", () => {
  it("writes the same lines and problems, in the same order, as counting in one thread", async () => {
    // Several reads' worth of rows (1 MiB each), so several batches are in flight on both threads.
    const text = csv(6000);
    expect(text.length).toBeGreaterThan(2 << 20);
    const dataset = dir.write("calls.csv", text);
    const alone = await linesOf(0, dataset);
    const threaded = await linesOf(2, dataset);
    expect(threaded.out).toEqual(alone.out);
    expect(threaded.summary).toEqual(alone.summary);
    expect(alone.summary.problems.context_overflow).toBeGreaterThan(100);
    expect(alone.summary.unparseable).toBeGreaterThan(100);
    // The counts are OpenAI's: every 7th prepared request, and all with U+FEFF/U+0085, against WASM tiktoken.
    let checked = 0;
    for (const [i, item] of threaded.items.entries()) {
      if (item.kind !== "request" || item.endpoint !== "/v1/chat/completions") continue;
      if (i % 7 !== 0 && !/[\uFEFF\u0085]/.test(item.body.messages[1]!.content)) continue;
      checked++;
      const expected =
        3 +
        item.body.messages.reduce(
          (n, m) =>
            n + 3 + reference.encode(m.role, [], []).length + reference.encode(m.content, [], []).length,
          0,
        );
      expect(item.inputTokens, item.customId).toBe(expected);
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
