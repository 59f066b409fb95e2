import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { defaultConfig, type ServerConfig } from "../../src/config/config.js";
import { asyncApiDeps } from "../../src/http/async-api-deps.js";
import { startApiServer } from "../../src/http/server.js";
import { startTestApi, type TestApi } from "./helpers.js";
import { rawConnect, until, within } from "./raw-http.js";

const KB = 1024;
const MB = 1024 * KB;
const BOUNDARY = "docket-limits";
const HEAD = (length: number | "chunked") =>
  [
    "POST /v1/files HTTP/1.1",
    "Host: test",
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
    length === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${length}`,
    "",
    "",
  ].join("\r\n");
/** The form up to the start of the file's bytes. */
const FORM_START =
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n` +
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="in.jsonl"\r\n` +
  "Content-Type: application/jsonl\r\n\r\n";
const LINE = `${JSON.stringify({ custom_id: "x", body: { pad: "y".repeat(200) } })}\n`;
const lines = (bytes: number) => LINE.repeat(Math.ceil(bytes / LINE.length)).slice(0, bytes);

/** HTTP bounds (issue 17): early 413, idle/request/header timeouts, the connection cap. */
describe("HTTP limits", () => {
  let api: TestApi | undefined;
  const start = async (config: Partial<ServerConfig>) => {
    api = await startTestApi(config);
    return api;
  };
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });
  const tempFiles = (a: TestApi) => a.blobFiles().filter((f) => f.endsWith(".tmp"));

  it("answers an upload whose Content-Length is 10 GB with 413 at once, without reading it", async () => {
    const a = await start({ maxUploadBytes: MB });
    const conn = await rawConnect(a.url);
    // Only the headers and the form's first bytes: a server that read before answering would
    // wait here for 10 GB that never come.
    conn.socket.write(HEAD(10 * 1024 ** 3) + FORM_START);
    const res = await conn.response(10_000);
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe("close");
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("payload_too_large");
    expect(body.error.message).toContain("server.maxUploadBytes");
    expect(body.error.message).toContain(String(MB));
    // The server hangs up rather than swallow the rest; nothing ever touched the disk.
    await within(conn.closed, 10_000, "server closes the connection");
    expect(a.blobFiles()).toEqual([]);
    expect((await request(`${a.url}/health`)).statusCode).toBe(200);
  });

  it("lets a client that keeps sending a refused 10 GB body read the 413 (lingering close)", async () => {
    const a = await start({ maxUploadBytes: MB });
    for (let round = 0; round < 5; round++) {
      const conn = await rawConnect(a.url);
      conn.socket.on("error", () => {});
      conn.socket.write(HEAD(10 * 1024 ** 3) + FORM_START);
      // Keep pushing body bytes while the answer comes back, as a naive client does.
      const chunk = Buffer.alloc(256 * KB, 0x61);
      const pump = setInterval(() => {
        if (!conn.socket.destroyed) conn.socket.write(chunk);
      }, 5);
      try {
        const res = await conn.response(10_000);
        expect(res.status).toBe(413);
      } finally {
        clearInterval(pump);
      }
      await within(conn.closed, 10_000, "server closes the connection after lingering");
    }
    expect(a.blobFiles()).toEqual([]);
  });

  it("answers a JSON body whose Content-Length is over its limit with 413 before reading it", async () => {
    const a = await start({});
    const conn = await rawConnect(a.url);
    conn.socket.write(
      "POST /v1/batches HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{",
    );
    const res = await conn.response(10_000);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "payload_too_large" } });
    conn.socket.destroy();
  });

  it("refuses a chunked upload as soon as it passes the limit, with at most the limit on disk", async () => {
    const limit = 256 * KB;
    const a = await start({ maxUploadBytes: limit });
    // Watch what the blob store is handed and what is on disk while the upload runs.
    const put = a.blobs.put.bind(a.blobs);
    let consumed = 0;
    let largestChunk = 0;
    a.blobs.put = (key, source, options) =>
      put(
        key,
        (async function* () {
          for await (const chunk of source as AsyncIterable<Buffer>) {
            consumed += chunk.length;
            largestChunk = Math.max(largestChunk, chunk.length);
            yield chunk;
          }
        })(),
        options,
      );
    let largestTemp = 0;
    const watch = setInterval(() => {
      for (const f of tempFiles(a)) {
        try {
          largestTemp = Math.max(largestTemp, statSync(path.join(a.blobs.root, f)).size);
        } catch {}
      }
    }, 2);
    try {
      const conn = await rawConnect(a.url);
      const chunk = (data: string) => `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;
      conn.socket.write(HEAD("chunked") + chunk(FORM_START));
      // Past the limit by 64 KiB, then nothing: the answer must not wait for the end of the body.
      for (let sent = 0; sent < limit + 64 * KB; sent += 16 * KB) conn.socket.write(chunk(lines(16 * KB)));
      const res = await conn.response(10_000);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: "payload_too_large" } });
      // The temp file is gone by the time the client hears about it.
      expect(a.blobFiles()).toEqual([]);
      conn.socket.destroy();
    } finally {
      clearInterval(watch);
    }
    expect(consumed).toBeGreaterThan(limit);
    expect(consumed).toBeLessThanOrEqual(limit + largestChunk);
    expect(largestTemp).toBeLessThanOrEqual(limit);
  });

  it("cuts an upload that stops sending after the idle timeout and deletes its temp file", async () => {
    const a = await start({ idleTimeoutMs: 500 });
    const conn = await rawConnect(a.url);
    // Promise 4 MiB, send half, then go quiet (the connection stays open on our side).
    conn.socket.write(HEAD(4 * MB) + FORM_START + lines(2 * MB));
    await until(() => tempFiles(a).length === 1, 10_000, "temp file appears");
    const received = await within(conn.closed, 15_000, "idle connection is closed");
    expect(received).not.toMatch(/^HTTP\/1\.1 200/);
    await until(() => a.blobFiles().length === 0, 10_000, "temp file deleted");
    expect((await request(`${a.url}/v1/files`).then((r) => r.body.json())) as object).toMatchObject({
      data: [],
    });
    expect(a.logged).toEqual([]);
  });

  it("cuts an upload that trickles for longer than the request timeout", async () => {
    const a = await start({ headersTimeoutMs: 200, requestTimeoutMs: 1_000, idleTimeoutMs: 60_000 });
    const conn = await rawConnect(a.url);
    conn.socket.write(HEAD(4 * MB) + FORM_START);
    // Never idle (a line every 50 ms), but never done either.
    const drip = setInterval(() => conn.socket.writable && conn.socket.write(LINE), 50);
    try {
      await until(() => tempFiles(a).length === 1, 10_000, "temp file appears");
      const received = await within(conn.closed, 15_000, "slow request is cut");
      expect(received).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
    }
    await until(() => a.blobFiles().length === 0, 10_000, "temp file deleted");
  });

  it("closes a connection whose headers do not arrive within the headers timeout", async () => {
    const a = await start({ headersTimeoutMs: 300, requestTimeoutMs: 5_000 });
    const conn = await rawConnect(a.url);
    conn.socket.write("GET /health HTTP/1.1\r\nHost: test\r\n");
    const received = await within(conn.closed, 15_000, "header timeout");
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it("caps open connections, and takes new ones again once one closes", async () => {
    const a = await start({ maxConnections: 2 });
    const held = [await rawConnect(a.url), await rawConnect(a.url)];
    for (const h of held) h.socket.write("GET /health HTTP/1.1\r\nHost: test\r\n\r\n");
    for (const h of held) expect((await h.response()).status).toBe(200);
    // Both are kept alive; a third connection is accepted by the kernel and closed at once.
    const third = await rawConnect(a.url);
    third.socket.write("GET /health HTTP/1.1\r\nHost: test\r\n\r\n");
    expect(await within(third.closed, 10_000, "refused connection closes")).toBe("");
    held[0]!.socket.destroy();
    await until(() => held[0]!.socket.destroyed, 5_000);
    let status = 0;
    // Poll with fresh connections: the server counts the freed one down asynchronously.
    for (let i = 0; i < 50 && status !== 200; i++) {
      const next = await rawConnect(a.url);
      next.socket.write("GET /health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
      status = await next.response(2_000).then(
        (r) => r.status,
        () => 0,
      );
      next.socket.destroy();
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
    held[1]!.socket.destroy();
  });

  it("bounds invocation payloads the same way: early 413 by Content-Length, idle uploads cut", async () => {
    const a = await start({ idleTimeoutMs: 500 });
    const config = defaultConfig();
    config.routes = [
      {
        name: "r",
        models: ["m"],
        backend: { type: "openai", baseUrl: "http://127.0.0.1:9/v1" },
        concurrency: 1,
        timeoutMs: 1000,
        maxAttempts: 1,
      },
    ];
    config.invocations!.maxPayloadBytes = MB;
    const blobs = new LocalDirBlobStore(path.join(a.dir, "inv-blobs"));
    const server = await startApiServer({
      store: a.store,
      blobs,
      config: { ...defaultConfig().server, idleTimeoutMs: 500 },
      events: { workAvailable: () => {} },
      async: asyncApiDeps(config),
      host: "127.0.0.1",
      port: 0,
    });
    const head = (length: number) =>
      `POST /v1/async/invocations?model=m HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    try {
      const big = await rawConnect(server.url);
      big.socket.write(`${head(10 * 1024 ** 3)}{"messages":[`);
      const res = await big.response(10_000);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: "payload_too_large" } });
      await within(big.closed, 10_000, "server closes the connection");

      const idle = await rawConnect(server.url);
      idle.socket.write(head(MB) + lines(MB / 2));
      const temps = () =>
        readdirSync(blobs.root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".tmp"));
      await until(() => temps().length === 1, 10_000, "payload temp file appears");
      await within(idle.closed, 15_000, "idle payload upload is cut");
      await until(() => temps().length === 0, 10_000, "payload temp file deleted");
      expect(await a.store.listJobs({ limit: 10, kind: "invocation" })).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
