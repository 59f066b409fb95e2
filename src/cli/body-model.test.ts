import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { modelFromBodyFile, TopLevelModelScanner } from "./body-model.js";

const scan = (text: string, chunk = 3): string | null => {
  const s = new TopLevelModelScanner();
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunk) {
    const r = s.push(bytes.subarray(i, i + chunk));
    if (r !== undefined) return r;
  }
  return null;
};

describe("the model named in a request body", () => {
  const dir = mkdtempSync(join(tmpdir(), "docket-body-model-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the top-level model, across chunk boundaries and wherever it is", () => {
    expect(scan('{"model":"gpt-4o","messages":[]}')).toBe("gpt-4o");
    expect(scan('{"messages":[{"role":"user","content":"x"}],"max_tokens":5, "model" : "m-1"}', 1)).toBe(
      "m-1",
    );
    expect(scan('\uFEFF {\n  "model": "with \\"quotes\\" é"\n}')).toBe('with "quotes" é');
    expect(scan('{"\\u006dodel":"escaped-key"}')).toBe("escaped-key");
  });

  it("ignores a model nested in a value, or a key that only looks like one", () => {
    expect(scan('{"metadata":{"model":"nested"},"messages":["\\"model\\":\\"x\\""]}')).toBeNull();
    expect(scan('{"messages":[],"note":"model","x":"model"}')).toBeNull();
    expect(scan('{"model":5,"other":"gpt"}')).toBeNull();
    expect(scan('{"x":{"a":[1,2,{"b":"}"}]},"model":"after-nesting"}')).toBe("after-nesting");
  });

  it("answers null for something that is not a JSON object", () => {
    expect(scan('["model","x"]')).toBeNull();
    expect(scan("")).toBeNull();
    expect(scan('"model"')).toBeNull();
  });

  it("streams a large file and stops at the model", async () => {
    const path = join(dir, "big.json");
    const filler = "y".repeat(5_000_000);
    writeFileSync(path, JSON.stringify({ messages: [{ role: "user", content: filler }], model: "late" }));
    expect(await modelFromBodyFile(path)).toBe("late");
    writeFileSync(path, JSON.stringify({ messages: [{ role: "user", content: filler }] }));
    expect(await modelFromBodyFile(path)).toBeNull();
  });
});
