import { describe, expect, it } from "vitest";
import type { FinishedRecord } from "../domain/record.js";
import { ByteChunks, recordBody } from "./record-bytes.js";

describe("ByteChunks", () => {
  it("gathers strings and buffers until full, then hands them on in one piece", () => {
    const c = new ByteChunks(6);
    expect(c.empty).toBe(true);
    c.add("abc");
    expect(c.full).toBe(false);
    c.add(Buffer.from("déf"));
    expect(c.full).toBe(true);
    expect(c.take().toString()).toBe("abcdéf");
    expect(c.empty).toBe(true);
  });
});

describe("recordBody", () => {
  const rec = (input: FinishedRecord["input"]): FinishedRecord => ({
    id: 9,
    position: 0,
    customId: "a",
    state: "failed",
    response: null,
    error: null,
    ...(input ? { input } : {}),
  });
  const parts = [Buffer.from('{"a":'), Buffer.from("1}")];
  const store = {
    capabilities: {
      exclusive: true,
      workHints: null,
      largeBodies: { readBodyPart: async (_id: number, part: number) => parts[part] },
    },
  } as const;

  it("yields a text body whole and a parted body part by part", async () => {
    const all = async (r: FinishedRecord) => {
      const out: string[] = [];
      for await (const c of recordBody(store as never, r)) out.push(c.toString());
      return out;
    };
    expect(await all(rec({ text: "{}" }))).toEqual(["{}"]);
    expect(await all(rec({ parts: 2 }))).toEqual(['{"a":', "1}"]);
    await expect(all(rec({ parts: 3 }))).rejects.toThrow(/part 2 of record 9/);
    await expect(all(rec(undefined))).rejects.toThrow(/without its body/);
  });
});
