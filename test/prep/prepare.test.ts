import { getEncoding } from "js-tiktoken";
import { afterAll, describe, expect, it } from "vitest";
import { type PrepareItem, type PrepareOptions, prepareDataset } from "../../src/prep/prepare.js";
import type { PreparedRequest } from "../../src/prep/prepared-request.js";
import type { Problem } from "../../src/prep/problem.js";
import { parseTemplateSpec } from "../../src/prep/template/template-spec.js";
import { tempDir } from "./temp-files.js";

const dir = tempDir();
afterAll(() => dir.remove());

const template = (extra: object = {}) =>
  parseTemplateSpec(
    {
      model: "gpt-4o-mini",
      system: "Summarise in two sentences.",
      user: "Call:\n{{transcript}}",
      max_tokens: 50,
      ...extra,
    },
    "test",
  );

async function run(options: PrepareOptions) {
  const prepared = prepareDataset(options);
  const items: PrepareItem[] = [];
  for await (const item of prepared) items.push(item);
  const requests = items.filter((i): i is PreparedRequest => i.kind === "request");
  const problems = items.filter((i): i is Problem => i.kind === "problem");
  return { prepared, items, requests, problems, summary: prepared.summary };
}

/** Input tokens computed independently with js-tiktoken's full build and OpenAI's chat formula. */
function tiktokenChatTokens(messages: Array<{ role: string; content: string }>): number {
  const enc = getEncoding("o200k_base");
  return 3 + messages.reduce((n, m) => n + 3 + enc.encode(m.role).length + enc.encode(m.content).length, 0);
}

const BAD_CSV = [
  "\uFEFFcall_id,agent,transcript",
  'C1,Maya,"Customer: the router lights are orange.',
  'Agent: the cable was in the wrong port."',
  "C2,Tom,extra,column",
  "C3,Ines,A one-line call about a refund.",
  "C4,only-two-fields",
  'C5,Ravi,"Multi',
  'line"',
  'C6,Lu"cia,stray quote',
  "C7,Maya,Last call.",
].join("\n");

describe("prepareDataset", () => {
  it("prepares every good row and reports exactly the unparseable lines", async () => {
    const dataset = dir.write("bad.csv", BAD_CSV);
    const { requests, problems, summary } = await run({ dataset, template: template(), idField: "call_id" });
    expect(requests.map((r) => [r.customId, r.line, r.rowNumber])).toEqual([
      ["C1", 2, 1],
      ["C3", 5, 3],
      ["C5", 7, 5],
      ["C7", 10, 7],
    ]);
    expect(problems.map((p) => [p.code, p.line])).toEqual([
      ["unparseable_row", 4],
      ["unparseable_row", 6],
      ["unparseable_row", 9],
    ]);
    expect(summary).toMatchObject({ rowsRead: 7, prepared: 4, rejected: 0, unparseable: 3, truncated: 0 });
    const first = requests[0]!;
    if (first.endpoint !== "/v1/chat/completions") throw new Error("chat expected");
    expect(first.body.messages[1]!.content).toBe(
      "Call:\nCustomer: the router lights are orange.\nAgent: the cable was in the wrong port.",
    );
    expect(first.inputTokens).toBe(tiktokenChatTokens(first.body.messages));
    expect(summary.inputTokens).toBe(requests.reduce((n, r) => n + r.inputTokens, 0));
    expect(summary.maxOutputTokens).toBe(4 * 50);
  });

  it("reports a row missing a template field by its row and line, without an empty prompt", async () => {
    const dataset = dir.write(
      "rows.jsonl",
      [
        '{"id":"a","transcript":"hello"}',
        '{"id":"b","text":"no transcript"}',
        '{"id":"c","transcript":null}',
      ].join("\n"),
    );
    const { requests, problems } = await run({ dataset, template: template(), idField: "id" });
    expect(requests.map((r) => r.customId)).toEqual(["a"]);
    expect(problems).toEqual([
      {
        kind: "problem",
        code: "missing_field",
        message: "Row 2 has no value for 'transcript', which the template uses.",
        line: 2,
        rowNumber: 2,
        customId: "b",
      },
      expect.objectContaining({ code: "missing_field", line: 3, rowNumber: 3 }),
    ]);
  });

  it("refuses a CSV whose header lacks a template field, before preparing anything", async () => {
    const dataset = dir.write("cols.csv", "id,text\n1,hello\n");
    await expect(run({ dataset, template: template() })).rejects.toThrow(/no column 'transcript'/);
  });

  const longCsv = () => {
    const short = "The customer asked for a copy of the bill.";
    const long = "The customer explained the broadband had dropped again and again that week. ".repeat(30);
    return dir.write("long.csv", `id,transcript\nshort,${short}\nlong,"${long}"\n`);
  };

  it("rejects records over the context length", async () => {
    const dataset = longCsv();
    const { requests, problems, summary } = await run({
      dataset,
      template: template(),
      idField: "id",
      contextLength: 200,
    });
    expect(requests.map((r) => r.customId)).toEqual(["short"]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: "context_overflow", line: 3, rowNumber: 2, customId: "long" });
    expect(problems[0]!.message).toMatch(/over the context length of 200/);
    expect(summary).toMatchObject({ prepared: 1, rejected: 1, problems: { context_overflow: 1 } });
  });

  it("truncates a field to fit, verified by an independent js-tiktoken count", async () => {
    const dataset = longCsv();
    const { requests, summary } = await run({
      dataset,
      template: template(),
      idField: "id",
      contextLength: 200,
      onOverflow: { kind: "truncate", field: "transcript" },
    });
    expect(requests.map((r) => [r.customId, r.truncated])).toEqual([
      ["short", false],
      ["long", true],
    ]);
    const cut = requests[1]!;
    if (cut.endpoint !== "/v1/chat/completions") throw new Error("chat expected");
    const counted = tiktokenChatTokens(cut.body.messages);
    expect(cut.inputTokens).toBe(counted);
    expect(counted + 50).toBeLessThanOrEqual(200);
    expect(counted + 50).toBeGreaterThan(190);
    expect(cut.body.messages[1]!.content.startsWith("Call:\nThe customer explained")).toBe(true);
    expect(summary).toMatchObject({ prepared: 2, truncated: 1, rejected: 0 });
  });

  it("refuses a truncate policy naming a field the template does not use", () => {
    expect(() =>
      prepareDataset({
        dataset: "x.csv",
        template: template(),
        onOverflow: { kind: "truncate", field: "agent" },
      }),
    ).toThrow(/Cannot truncate 'agent'/);
  });

  it("checks ids: generated, duplicate, empty, and the dialect's rules", async () => {
    const dataset = dir.write("ids.csv", "id,transcript\nA-1,x\nA-1,y\n,z\nhas space,w\n");
    const generated = await run({ dataset, template: template() });
    expect(generated.requests.map((r) => r.customId)).toEqual(["row-1", "row-2", "row-3", "row-4"]);

    const openai = await run({ dataset, template: template(), idField: "id" });
    expect(openai.problems.map((p) => [p.code, p.line])).toEqual([
      ["duplicate_custom_id", 3],
      ["invalid_custom_id", 4],
    ]);
    const anthropic = await run({ dataset, template: template(), idField: "id", dialect: "anthropic" });
    expect(anthropic.problems.map((p) => [p.code, p.line])).toEqual([
      ["duplicate_custom_id", 3],
      ["invalid_custom_id", 4],
      ["invalid_custom_id", 5],
    ]);
  });

  it("uses the estimate tokenizer for models without a shipped one", async () => {
    const dataset = dir.write("est.csv", "transcript\nhéllo\n");
    const { prepared, requests } = await run({ dataset, template: template({ model: "local-dummy" }) });
    expect(prepared.tokenizer.exact).toBe(false);
    expect(prepared.contextLength.tokens).toBeNull();
    // 3 + (3 + ⌈6/3⌉ + ⌈27/3⌉) + (3 + ⌈4/3⌉ + ⌈13/3⌉): roles and contents at ⌈utf8 bytes / 3⌉.
    const system = "Summarise in two sentences.";
    const user = "Call:\nhéllo";
    const est = (s: string) => Math.ceil(Buffer.byteLength(s) / 3);
    expect(requests[0]!.inputTokens).toBe(
      3 + (3 + est("system") + est(system)) + (3 + est("user") + est(user)),
    );
  });

  it("can be iterated only once", async () => {
    const dataset = dir.write("once.csv", "transcript\nx\n");
    const prepared = prepareDataset({ dataset, template: template() });
    for await (const _ of prepared) {
      // drain
    }
    await expect(
      (async () => {
        for await (const _ of prepared) {
          // second pass
        }
      })(),
    ).rejects.toThrow(/only once/);
  });
});
