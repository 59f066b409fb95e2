import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commaList, parseSetPairs, readIdsFile } from "./retry-options.js";

describe("parseSetPairs", () => {
  it("reads JSON values as JSON and anything else as a string", () => {
    expect(
      parseSetPairs(["max_tokens=2048", "model=gpt-4o-mini", 'stop=["\\n"]', "seed=null", "temperature=0.5"]),
    ).toEqual({
      max_tokens: 2048,
      model: "gpt-4o-mini",
      stop: ["\n"],
      seed: null,
      temperature: 0.5,
    });
    expect(parseSetPairs(['tag="007"', "name=a=b"])).toEqual({ tag: "007", name: "a=b" });
  });

  it("refuses a pair without a name", () => {
    expect(() => parseSetPairs(["=3"])).toThrow(/name=value/);
    expect(() => parseSetPairs(["max_tokens"])).toThrow(/name=value/);
  });

  it("keeps __proto__ a plain field", () => {
    const out = parseSetPairs(["__proto__=1"]);
    expect(Object.keys(out)).toEqual(["__proto__"]);
    expect(JSON.stringify(out)).toBe('{"__proto__":1}');
  });
});

describe("commaList and readIdsFile", () => {
  it("splits options and files", async () => {
    expect(commaList("failed, expired,,truncated")).toEqual(["failed", "expired", "truncated"]);
    const path = join(mkdtempSync(join(tmpdir(), "docket-ids-")), "ids.txt");
    writeFileSync(path, "a\r\n b \n\nc\n");
    expect(await readIdsFile(path)).toEqual(["a", "b", "c"]);
    writeFileSync(path, "\n\n");
    await expect(readIdsFile(path)).rejects.toThrow(/holds no ids/);
    await expect(readIdsFile(join(path, "missing"))).rejects.toThrow(/Cannot read/);
  });
});
