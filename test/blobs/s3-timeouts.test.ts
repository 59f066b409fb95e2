import { createServer as createHttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { S3BlobStore } from "../../src/blobs/s3-blob-store.js";
import { defaultConfig } from "../../src/config/config.js";
import { DocketError } from "../../src/domain/errors.js";
import { openBlobs } from "../../src/runtime/open-blobs.js";
import { timed } from "../support/timed.js";

const servers: Server[] = [];
const sockets = new Set<Socket>();
const stores: S3BlobStore[] = [];

afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function track(server: Server): void {
  servers.push(server);
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
}

async function listen(server: Server): Promise<string> {
  track(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function store(
  endpoint: string,
  timeouts: ConstructorParameters<typeof S3BlobStore>[0]["timeouts"],
): S3BlobStore {
  const s = new S3BlobStore({
    endpoint,
    bucket: "docket",
    forcePathStyle: true,
    credentials: { accessKeyId: "K", secretAccessKey: "S" },
    timeouts,
  });
  stores.push(s);
  return s;
}

describe("S3BlobStore timeouts", () => {
  it("fails calls to an endpoint that accepts and never answers, after a bounded number of tries", async () => {
    let connections = 0;
    const silent = createServer(() => {
      connections++;
    });
    const endpoint = await listen(silent);
    const s3 = store(endpoint, { requestTimeoutMs: 300, maxAttempts: 2 });

    const put = await timed(s3.put("a/b", Readable.from([Buffer.from("hello")])));
    expect(put.error).toBeInstanceOf(DocketError);
    expect(put.error).toMatchObject({ code: "blob_store_timeout", httpStatus: 503 });
    expect((put.error as Error).message).toContain("blobs.requestTimeoutMs (300 ms)");
    expect((put.error as Error).message).toContain("store 'a/b'");
    expect(put.ms).toBeLessThan(15_000);
    expect(connections).toBe(2);

    const get = await timed(s3.get("a/b"));
    expect(get.error).toMatchObject({ code: "blob_store_timeout" });
    expect(get.ms).toBeLessThan(15_000);
    expect(connections).toBe(4);

    const del = await timed(s3.delete("a/b"));
    expect(del.error).toMatchObject({ code: "blob_store_timeout" });
  });

  it("takes the limits from docket.config.json's blobs section", async () => {
    let connections = 0;
    const endpoint = await listen(
      createServer(() => {
        connections++;
      }),
    );
    const config = defaultConfig();
    config.blobs = {
      type: "s3",
      bucket: "b",
      endpoint,
      forcePathStyle: true,
      requestTimeoutMs: 400,
      maxAttempts: 1,
    };
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = "K";
    process.env.AWS_SECRET_ACCESS_KEY = "S";
    try {
      const s3 = (await openBlobs(config)) as S3BlobStore;
      stores.push(s3);
      const { error } = await timed(s3.put("k", Readable.from([Buffer.from("x")])));
      expect((error as Error).message).toContain("blobs.requestTimeoutMs (400 ms)");
      expect(connections).toBe(1);
    } finally {
      for (const [key, value] of [
        ["AWS_ACCESS_KEY_ID", saved.id],
        ["AWS_SECRET_ACCESS_KEY", saved.secret],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it("fails a download whose body stalls part-way, after the idle timeout", async () => {
    const stalling = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": "1000" });
      res.write(Buffer.alloc(10, 1)); // and then nothing more
    });
    const endpoint = await listen(stalling);
    const s3 = store(endpoint, { idleTimeoutMs: 500, maxAttempts: 1 });

    const body = await s3.get("stalls");
    const { ms, error } = await timed(
      (async () => {
        for await (const _ of body) {
          // drain
        }
      })(),
    );
    expect(error).toMatchObject({ name: "TimeoutError" });
    expect((error as Error).message).toContain("500 ms of inactivity");
    expect(ms).toBeLessThan(10_000);
  });

  it("fails an upload to an endpoint that stops reading, after the request timeout", async () => {
    // Accepts the request but never reads its body nor answers: the kernel buffers fill and
    // the part upload can make no progress.
    const silent = createServer((socket) => socket.pause());
    const endpoint = await listen(silent);
    const s3 = store(endpoint, { requestTimeoutMs: 500, maxAttempts: 1 });
    const big = Buffer.alloc(6 * 1024 * 1024, 7);
    const { ms, error } = await timed(s3.put("big", Readable.from([big])));
    expect(error).toMatchObject({ code: "blob_store_timeout" });
    expect(ms).toBeLessThan(15_000);
  });
});
