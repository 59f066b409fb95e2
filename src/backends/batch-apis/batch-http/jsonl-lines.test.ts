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

  it("keeps whole lines of a chunk and joins the one that spans chunks, across several chunks", async () => {
    const chunks = ['{"a":1}\n{"b"', ":2", '}\n{"c":3}\n', '{"d":4}\n\n{"e"', ":5}"].map((t) =>
      Buffer.from(t),
    );
    expect(await collect(chunks)).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}', '{"e":5}']);
  });

  it("refuses a line longer than its limit", async () => {
    await expect(collect([Buffer.from("x".repeat(20))], 10)).rejects.toThrow(/longer than 10/);
  });
});
