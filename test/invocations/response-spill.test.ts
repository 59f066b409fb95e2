import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { parseSpilledBody } from "../../src/domain/invocation.js";
import { spillLargeResponse } from "../../src/invocations/response-spill.js";

describe("spillLargeResponse", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function blobs(): LocalDirBlobStore {
    const dir = mkdtempSync(join(tmpdir(), "docket-spill-"));
    dirs.push(dir);
    return new LocalDirBlobStore(dir);
  }

  const chunks = (n: number, size: number) =>
    Readable.from(Array.from({ length: n }, (_, i) => Buffer.alloc(size, 97 + (i % 26))));

  it("keeps a small answer as text", async () => {
    expect(await spillLargeResponse(blobs(), "invocations/inv_1/", chunks(3, 10), 100)).toBe(
      "aaaaaaaaaabbbbbbbbbbcccccccccc",
    );
  });

  it("writes a large answer to a blob, bytes in order, and returns a pointer to it", async () => {
    const store = blobs();
    const body = await spillLargeResponse(store, "invocations/inv_1/", chunks(50, 1000), 4096);
    const spilled = parseSpilledBody(body);
    expect(spilled?.bytes).toBe(50_000);
    expect(spilled?.key).toMatch(/^invocations\/inv_1\/output-\w+$/);
    let text = "";
    for await (const c of await store.get(spilled!.key)) text += c.toString();
    expect(text.length).toBe(50_000);
    expect(text.slice(0, 1001)).toBe(`${"a".repeat(1000)}b`);
    expect(text.slice(-1000)).toBe("x".repeat(1000));
    // a real answer never parses as a pointer
    expect(parseSpilledBody('{"key":"invocations/x","bytes":1}')).toBeUndefined();
  });
});
