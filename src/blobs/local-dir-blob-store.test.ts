import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DocketError } from "../domain/errors.js";
import { BlobTooLargeError } from "./blob-store.js";
import { LocalDirBlobStore } from "./local-dir-blob-store.js";

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

describe("LocalDirBlobStore", () => {
  let root: string;
  let store: LocalDirBlobStore;

  beforeEach(() => {
    root = path.join(mkdtempSync(path.join(tmpdir(), "docket-blobs-")), "nested", "root");
    store = new LocalDirBlobStore(root);
  });
  afterEach(() => rmSync(path.dirname(path.dirname(root)), { recursive: true, force: true }));

  it("creates its root and round-trips a blob under a key with slashes", async () => {
    const { bytes } = await store.put("files/a/b.jsonl", Readable.from([Buffer.from("héllo\n"), "world"]));
    expect(bytes).toBe(Buffer.byteLength("héllo\nworld"));
    expect(await readAll(await store.get("files/a/b.jsonl"))).toBe("héllo\nworld");
    expect(listTree(root)).toEqual(["files", "files/a", "files/a/b.jsonl"]);
  });

  it("accepts any async iterable of strings and bytes", async () => {
    async function* parts() {
      yield "one ";
      yield new TextEncoder().encode("two");
    }
    expect(await store.put("k", parts())).toEqual({ bytes: 7 });
    expect(await readAll(await store.get("k"))).toBe("one two");
  });

  it("refuses a blob past maxBytes and leaves nothing behind", async () => {
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(100, 97));
    const err = await store.put("big", Readable.from(chunks), { maxBytes: 550 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobTooLargeError);
    expect((err as BlobTooLargeError).maxBytes).toBe(550);
    expect(listTree(root)).toEqual([]);
  });

  it("accepts a blob of exactly maxBytes", async () => {
    expect(await store.put("exact", Readable.from([Buffer.alloc(550)]), { maxBytes: 550 })).toEqual({
      bytes: 550,
    });
  });

  it("keeps the previous blob intact when an overwrite fails midway", async () => {
    await store.put("k", Readable.from(["original"]));
    async function* failing() {
      yield "partial";
      throw new Error("source broke");
    }
    await expect(store.put("k", failing())).rejects.toThrow("source broke");
    expect(await readAll(await store.get("k"))).toBe("original");
    expect(listTree(root)).toEqual(["k"]);
  });

  it("reports a missing blob as a not_found DocketError", async () => {
    const err = await store.get("nope/missing").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocketError);
    expect((err as DocketError).code).toBe("not_found");
    expect((err as DocketError).httpStatus).toBe(404);
  });

  it("deletes blobs, and deleting a missing one is not an error", async () => {
    await store.put("d/x", Readable.from(["x"]));
    await store.delete("d/x");
    await store.delete("d/x");
    await expect(store.get("d/x")).rejects.toBeInstanceOf(DocketError);
  });

  it.each(["", "../escape", "a/../../b", "/abs", "a//b", "a\\b", "x.tmp"])(
    "refuses the key %j",
    async (key) => {
      await expect(store.put(key, Readable.from(["x"]))).rejects.toMatchObject({ code: "invalid_blob_key" });
    },
  );
});
