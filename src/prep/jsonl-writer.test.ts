import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../../test/prep/temp-files.js";
import { JsonlFileWriter } from "./jsonl-writer.js";

const dir = tempDir();
afterAll(() => dir.remove());

describe("JsonlFileWriter", () => {
  it("writes each value as one JSON line, across buffer boundaries and for lines larger than a buffer", async () => {
    const path = dir.path("out.jsonl");
    const writer = await JsonlFileWriter.create(path);
    const values: object[] = [];
    // Enough lines, some multi-byte, to fill several 1 MiB buffers; one line of 2 MB on its own.
    for (let i = 0; i < 5000; i++) values.push({ i, text: `Jürgen — £${i} ${"x".repeat(i % 700)}\n"q"` });
    values.splice(2500, 0, { big: "é".repeat(1_000_000) });
    for (const value of values) await writer.write(value);
    await writer.commit();
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => JSON.parse(l))).toEqual(values);
    expect(writer.lines).toBe(values.length);
  });
});
