import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BlobTooLargeError } from "../../src/blobs/blob-store.js";
import { S3BlobStore, type S3BlobStoreOptions } from "../../src/blobs/s3-blob-store.js";

/** s3rver ships no types; this is the part of its API the test uses. */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer: Server;
}
type S3rverCtor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
}) => S3rverServer;
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverCtor;

const MiB = 1024 * 1024;
const BUCKET = "docket";
const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

describe("S3BlobStore against s3rver", () => {
  let server: S3rverServer;
  let dir: string;
  let options: S3BlobStoreOptions;
  let store: S3BlobStore;
  /** The S3 operations that reached the server, to tell single from multipart uploads. */
  let requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "docket-s3-"));
    server = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: BUCKET }],
    });
    const { port } = await server.run();
    server.httpServer.on("request", (req: IncomingMessage) => requests.push(describeRequest(req)));
    const endpoint = `http://127.0.0.1:${port}`;
    options = {
      endpoint,
      bucket: BUCKET,
      prefix: "blobs/",
      forcePathStyle: true,
      credentials,
      partSize: 5 * MiB,
    };
    store = new S3BlobStore(options);
  });

  beforeEach(() => {
    requests = [];
  });

  afterAll(async () => {
    store?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts, gets and deletes a small blob under its prefix", async () => {
    const put = await store.put("files/a.jsonl", Readable.from(["hello ", "world\n"]));
    expect(put).toEqual({ bytes: 12 });
    expect(requests).toEqual(["PutObject"]);
    expect(await text(await store.get("files/a.jsonl"))).toBe("hello world\n");
    // the prefix is part of the object key
    const unprefixed = new S3BlobStore({ ...options, prefix: "" });
    expect(await text(await unprefixed.get("blobs/files/a.jsonl"))).toBe("hello world\n");
    unprefixed.close();

    await store.delete("files/a.jsonl");
    await expect(store.get("files/a.jsonl")).rejects.toMatchObject({ code: "not_found", httpStatus: 404 });
    await store.delete("files/a.jsonl");
  });

  it("streams a large blob as a multipart upload of several parts", async () => {
    const size = 12 * MiB + 12_345;
    const put = await store.put("big/payload.bin", pseudoRandom(size, 100_003));
    expect(put).toEqual({ bytes: size });
    // 5 MiB + 5 MiB + the rest
    expect(requests).toEqual([
      "CreateMultipartUpload",
      "UploadPart",
      "UploadPart",
      "UploadPart",
      "CompleteMultipartUpload",
    ]);
    expect(await sha256(await store.get("big/payload.bin"))).toBe(await sha256(pseudoRandom(size, 65_536)));
  });

  it("refuses a blob over maxBytes and leaves nothing under its key", async () => {
    // over the limit after several parts were already uploaded
    await expect(
      store.put("big/too-large.bin", pseudoRandom(12 * MiB, 70_001), { maxBytes: 11 * MiB }),
    ).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(requests.filter((r) => r === "UploadPart")).toHaveLength(2);
    expect(requests.at(-1)).toBe("AbortMultipartUpload"); // the upload is aborted, never completed
    await expect(store.get("big/too-large.bin")).rejects.toMatchObject({ code: "not_found" });
    // over the limit within the first part
    await expect(
      store.put("small/too-large.txt", Readable.from(["0123456789", "x"]), { maxBytes: 10 }),
    ).rejects.toBeInstanceOf(BlobTooLargeError);
    await expect(store.get("small/too-large.txt")).rejects.toMatchObject({ code: "not_found" });
  });

  it("stores nothing when the source fails part-way through a multipart upload", async () => {
    async function* failing() {
      yield* pseudoRandom(7 * MiB, 1 * MiB);
      throw new Error("client went away");
    }
    await expect(store.put("big/broken.bin", failing())).rejects.toThrow("client went away");
    expect(requests.at(-1)).toBe("AbortMultipartUpload");
    await expect(store.get("big/broken.bin")).rejects.toMatchObject({ code: "not_found" });
  });

  it("refuses keys that are not plain relative paths", async () => {
    for (const key of ["", "/abs", "a/../b", "a//b", "a\\b"]) {
      await expect(store.put(key, Readable.from(["x"]))).rejects.toMatchObject({ code: "invalid_blob_key" });
    }
  });
});

/** The S3 operation: named by the SDK's `x-id` query parameter, or told by the query's keys. */
function describeRequest(req: IncomingMessage): string {
  const query = new URL(req.url ?? "/", "http://x").searchParams;
  const named = query.get("x-id");
  if (named) return named;
  if (req.method === "POST" && query.has("uploads")) return "CreateMultipartUpload";
  if (req.method === "POST" && query.has("uploadId")) return "CompleteMultipartUpload";
  return `${req.method} ${req.url}`;
}

/** Deterministic bytes (the same for any chunk size), cut into chunks of `chunk` bytes. */
async function* pseudoRandom(total: number, chunk: number): AsyncGenerator<Uint8Array> {
  let state = 12345;
  for (let sent = 0; sent < total; ) {
    const n = Math.min(chunk, total - sent);
    const buf = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      buf[i] = state >>> 24;
    }
    sent += n;
    yield buf;
  }
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

async function sha256(source: AsyncIterable<Uint8Array | string>): Promise<string> {
  const hash = createHash("sha256");
  for await (const c of source) hash.update(c);
  return hash.digest("hex");
}
