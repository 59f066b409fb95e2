import { describe, expect, it } from "vitest";
import { boundedLines } from "./bounded-lines.js";

async function collect(chunks: string[], max = 100): Promise<string[]> {
  const out: string[] = [];
  for await (const line of boundedLines(chunks, max, "the file")) out.push(line);
  return out;
}

describe("boundedLines", () => {
  it("splits across chunks, drops CR before LF and skips empty lines", async () => {
    expect(await collect(['{"a":1}\r\n{"b"', ":2}\n\n", '{"c":"é"}'])).toEqual([
      '{"a":1}',
      '{"b":2}',
      '{"c":"é"}',
    ]);
  });

  it("refuses a line longer than the limit, naming it", async () => {
    await expect(collect(["ok\n", "x".repeat(60), "y".repeat(60), "\n"], 100)).rejects.toThrow(
      "Line 2 of the file is longer than 100 bytes.",
    );
  });
});
