import { describe, expect, it } from "vitest";
import { jsonlLines } from "./jsonl-lines.js";

async function collect(chunks: Buffer[], max?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const line of jsonlLines(chunks, max)) out.push(line);
  return out;
}

describe("jsonlLines", () => {
  it("splits lines across chunk edges, UTF-8 characters included, and skips blank lines", async () => {
    const bytes = Buffer.from('{"a":"é"}\n\n{"b":"😀"}\r\n{"c":1}');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(await collect(chunks)).toEqual(['{"a":"é"}', '{"b":"😀"}', '{"c":1}']);
  });

  it("refuses a line longer than its limit", async () => {
    await expect(collect([Buffer.from("x".repeat(20))], 10)).rejects.toThrow(/longer than 10/);
  });
});
