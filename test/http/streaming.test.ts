import { statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./helpers.js";

// A full GC before each memory sample, so the numbers are live memory, not garbage waiting for
// collection: that makes "bounded" a property we can assert without timing assumptions.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const MB = 1024 * 1024;
const BOUNDARY = "----docket-test-boundary";
/** One MiB of JSONL lines, sent over and over: the client itself holds only this. */
const CHUNK = Buffer.alloc(MB, `${JSON.stringify({ custom_id: "x", body: { pad: "y".repeat(1000) } })}\n`);

function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Resolves when `check` holds, polling; gives up after `ms` (a deadline, not a speed claim). */
async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A multipart body of `mb` MiB generated on the fly. It can stop after `pauseAt` MiB until
 * `resume()` is called, and samples live memory after every MiB handed to the socket.
 */
function streamedUpload(mb: number, pauseAt = -1) {
  let resume: () => void = () => {};
  const paused = new Promise<void>((r) => {
    resume = r;
  });
  let reachedPause = false;
  const samples: number[] = [];
  async function* body() {
    yield `--${BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n`;
    yield `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\n`;
    yield "Content-Type: application/jsonl\r\n\r\n";
    for (let i = 0; i < mb; i++) {
      if (i === pauseAt) {
        reachedPause = true;
        await paused;
      }
      yield CHUNK;
      samples.push(liveBytes());
    }
    yield `\r\n--${BOUNDARY}--\r\n`;
  }
  return { body, resume, samples, reachedPause: () => reachedPause };
}

describe("streaming uploads and downloads", () => {
  let api: TestApi;

  beforeEach(async () => {
    api = await startTestApi({ maxUploadBytes: 200 * MB });
  });
  afterEach(async () => api.stop());

  const post = (upload: ReturnType<typeof streamedUpload>, signal?: AbortSignal) =>
    request(api.url + "/v1/files", {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      body: Readable.from(upload.body()),
      signal,
    });

  const tempFiles = () => api.blobFiles().filter((f) => f.endsWith(".tmp"));

  it("streams a 50 MB upload to disk as it arrives, with bounded memory", async () => {
    const baseline = liveBytes();
    const upload = streamedUpload(50, 20);
    const response = post(upload);
    // While the client is stalled at 20 MiB, most of those bytes must already be on disk.
    await until(() => {
      const tmp = tempFiles()[0];
      return (
        upload.reachedPause() && tmp !== undefined && statSync(path.join(api.blobs.root, tmp)).size >= 16 * MB
      );
    });
    upload.resume();
    const res = await response;
    const file = (await res.body.json()) as { id: string; bytes: number };
    expect(res.statusCode).toBe(200);
    expect(file.bytes).toBe(50 * MB);
    const growth = Math.max(...upload.samples) - baseline;
    // Buffering the upload would hold 50 MiB or more; streaming holds a few chunks.
    expect(growth).toBeLessThan(20 * MB);
    expect(api.blobFiles()).toEqual([`files/${file.id}`]);

    // The download streams too: read it chunk by chunk, sampling memory as it goes.
    const download = await request(`${api.url}/v1/files/${file.id}/content`);
    expect(download.headers["content-length"]).toBe(String(50 * MB));
    let received = 0;
    let peak = 0;
    let lastSampledAt = 0;
    for await (const chunk of download.body) {
      received += (chunk as Buffer).length;
      if (received - lastSampledAt >= 4 * MB) {
        lastSampledAt = received;
        peak = Math.max(peak, liveBytes());
      }
    }
    expect(received).toBe(50 * MB);
    expect(peak - baseline).toBeLessThan(20 * MB);
  });

  it("cleans up when the client goes away mid-upload", async () => {
    const upload = streamedUpload(10, 4);
    const controller = new AbortController();
    const response = post(upload, controller.signal).catch((e: unknown) => e);
    await until(() => upload.reachedPause() && tempFiles().length === 1);
    controller.abort();
    expect(await response).toBeInstanceOf(Error);
    await until(() => api.blobFiles().length === 0);
    expect((await request(api.url + "/v1/files").then((r) => r.body.json())) as object).toMatchObject({
      data: [],
    });
    expect((await request(api.url + "/health")).statusCode).toBe(200);
  });

  it("close() refuses new connections but lets an in-flight upload finish", async () => {
    const upload = streamedUpload(4, 2);
    const response = post(upload);
    await until(() => upload.reachedPause());
    let closed = false;
    const closing = api.server.close().then(() => {
      closed = true;
    });
    await expect(request(api.url + "/health")).rejects.toThrow();
    expect(closed).toBe(false);
    upload.resume();
    const res = await response;
    expect(res.statusCode).toBe(200);
    const file = (await res.body.json()) as { id: string };
    await closing;
    expect(closed).toBe(true);
    expect(await api.store.getFile(file.id)).toMatchObject({ bytes: 4 * MB });
  });
});
