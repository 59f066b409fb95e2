import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withBound } from "./batch-driver.js";
import {
  API_KEY,
  type FuzzServer,
  isAlive,
  LIMITS,
  memoryOf,
  startFuzzServer,
  tempFiles,
} from "./child-server.js";
import { fuzzSeed, rand } from "./fuzz-seed.js";
import { multipartHead, multipartTail, rawExchange, sleep, uploadHead } from "./raw-socket.js";

/**
 * Issue 17's seeded fuzz suite, part 3: abusive HTTP against a real `docket serve` child with
 * an API key and small limits (idle 1.5 s, headers 2 s, request 8 s, uploads 64 MiB). Slow,
 * idle and oversize uploads must be cut within a bound without leaving temp files; names and
 * query parameters no server should choke on must get a clear answer; and the process must
 * still be alive and serving at the end. Owner of a failure here: B (HTTP), C (download names).
 */
const seed = fuzzSeed();
/** Seconds of slack over each configured limit: the machine is shared and loaded. */
const SLACK_MS = 12_000;
let s: FuzzServer;
const auth = { authorization: `Bearer ${API_KEY}` };

beforeAll(async () => {
  s = await startFuzzServer();
}, 60_000);

afterAll(async () => {
  await s?.close();
});

const get = (path: string, headers: Record<string, string> = auth) =>
  withBound(fetch(`${s.url}${path}`, { headers }), 20_000, `GET ${path} did not answer`);

describe("fuzz: abusive HTTP (child docket serve)", () => {
  it("auth comes before routing: an unknown route without the key is 401, with it 404", async () => {
    expect((await get("/v1/no-such-route", {})).status).toBe(401);
    expect((await get("/no/such/thing", {})).status).toBe(401);
    expect((await get("/v1/batches", {})).status).toBe(401);
    expect((await get("/v1/no-such-route")).status).toBe(404);
    expect((await get("/health", {})).status).toBe(200);
  });

  it("a NUL (or other control character) in a query parameter is a 400, never a 500", async () => {
    const queries = [
      "/v1/batches?after=%00",
      "/v1/batches?after=batch_%00x",
      "/v1/batches?limit=%00",
      "/v1/files?purpose=%00",
      "/v1/files?after=file-%00",
      "/v1/files?order=%00",
      "/v1/batches?after=%01",
    ];
    const got = await Promise.all(queries.map(async (q) => `${q} → ${(await get(q)).status}`));
    expect(got).toEqual(queries.map((q) => `${q} → 400`));
    for (const path of ["/v1/files/file-%00", "/v1/batches/batch_%00", "/v1/files/%00/content"]) {
      expect((await get(path)).status, path).toBeLessThan(500);
    }
  });

  it("an upload whose Content-Length is far over the limit is refused with 413 before its body is read", async () => {
    for (const contentLength of [10 * 1024 ** 3, 2 * LIMITS.maxUploadBytes]) {
      const r = await rawExchange(
        s.port,
        async (write, closed, responded) => {
          write(uploadHead({ contentLength, apiKey: API_KEY }) + multipartHead());
          // The answer must not wait for the body: give it a moment, then send a little more
          // (never the body). Writing before the answer would race the server's close (RST).
          for (let i = 0; i < 20 && !responded() && !closed(); i++) await sleep(100);
          if (!responded() && !closed()) write(Buffer.alloc(64 * 1024, 0x61));
        },
        SLACK_MS,
      );
      const seen = `Content-Length ${contentLength}: closed after ${r.closedMs} ms, socket error ${r.error}, got '${r.text.slice(0, 300)}'`;
      expect(r.status, seen).toBe(413);
    }
    expect(tempFiles(s.dataDir).bytes).toBeLessThan(1024 * 1024);
  });

  it("UTF-8 and path-traversal filenames are stored safely and served back with an RFC 5987 Content-Disposition", async () => {
    // [name sent, names the server may store]. Path components are dropped (never a path on
    // disk); the text of the last component is kept as sent, with no decoding or normalizing.
    const names: Array<[string, string[]]> = [
      ["résumé 中文 😀.jsonl", ["résumé 中文 😀.jsonl"]],
      ["../../etc/passwd.jsonl", ["passwd.jsonl"]],
      ["..\\..\\windows\\evil.jsonl", ["evil.jsonl"]],
      ["/abs/path/x.jsonl", ["x.jsonl"]],
      ["semi;colon 'q'.jsonl", ["semi;colon 'q'.jsonl"]],
      ["percent%41%2e%2e.jsonl", ["percent%41%2e%2e.jsonl"]],
      ["e\u0301 combining.jsonl", ["e\u0301 combining.jsonl"]],
      ["\u202egpj.jsonl", ["\u202egpj.jsonl", "gpj.jsonl"]],
      [`${"長".repeat(200)}.jsonl`, [`${"長".repeat(200)}.jsonl`]],
    ];
    for (const [name, allowed] of names) {
      const bytes = Buffer.from(`{"name":${JSON.stringify(name)}}\n`);
      const file = await s.openai.files.create({ file: await toFile(bytes, name), purpose: "batch" });
      const stored = file.filename;
      expect(allowed, `'${name}' was stored as '${stored}'`).toContain(stored);
      const res = await get(`/v1/files/${file.id}/content`);
      expect(res.status, `download of ${name}`).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
      const cd = res.headers.get("content-disposition") ?? "";
      expect(cd, name).toMatch(/^attachment;/);
      expect(cd).toMatch(/^[\x20-\x7e]*$/);
      const star = /filename\*=UTF-8''([^;\s]+)/i.exec(cd);
      expect(star, `filename* in ${cd}`).not.toBeNull();
      const decoded = decodeURIComponent(star![1]!);
      if (Buffer.byteLength(stored) <= 255) expect(decoded).toBe(stored);
      else expect(stored.startsWith(decoded.replace(/\.jsonl$/, ""))).toBe(true);
    }
    // RFC 5987 in the request too: `filename*` is the name a client means.
    const body = `${multipartHead("filename*=UTF-8''r%C3%A9sum%C3%A9%20%E4%B8%AD.jsonl")}{}\n${multipartTail}`;
    const r = await rawExchange(
      s.port,
      async (write) => {
        write(uploadHead({ contentLength: Buffer.byteLength(body), apiKey: API_KEY }));
        write(body);
      },
      SLACK_MS,
    );
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain(`"filename":"résumé 中.jsonl"`);
  });

  it(`an upload that stops sending is closed by the idle timeout (${LIMITS.idleTimeoutMs} ms) and leaves no temp file`, async () => {
    // Alone (no other upload in flight), so a temp file left behind is this upload's.
    const before = tempFiles(s.dataDir).count;
    const r = await rawExchange(
      s.port,
      async (write) => {
        write(uploadHead({ contentLength: 1024 * 1024, apiKey: API_KEY }));
        write(multipartHead());
        write(Buffer.alloc(10 * 1024, 0x62));
        // …and then silence, forever.
      },
      LIMITS.idleTimeoutMs + SLACK_MS,
    );
    expect(r.closedMs, "the stalled upload's connection was never closed").not.toBeNull();
    console.log(
      `fuzz abusive http: stalled upload closed after ${r.closedMs} ms (${r.status ?? "no answer"})`,
    );
    // The partial upload's temp file goes with it (give the delete a moment).
    let left = tempFiles(s.dataDir).count;
    for (let i = 0; i < 50 && left > before; i++) {
      await sleep(100);
      left = tempFiles(s.dataDir).count;
    }
    expect(left).toBeLessThanOrEqual(before);
  });

  describe.concurrent("slow and stalled clients are cut within a bound", () => {
    it(`headers sent byte by byte (slowloris) are cut by the headers timeout (${LIMITS.headersTimeoutMs} ms)`, async () => {
      const r = await rawExchange(
        s.port,
        async (write, closed) => {
          write("GET /v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\n");
          // One byte every 300 ms: never idle long enough for the idle timeout, never done.
          for (let i = 0; !closed() && i < 200; i++) {
            write("X");
            await sleep(300);
          }
        },
        LIMITS.headersTimeoutMs + SLACK_MS,
      );
      expect(r.closedMs, "the slowloris connection was never closed").not.toBeNull();
    });

    it(`an upload that trickles forever is cut by the request timeout (${LIMITS.requestTimeoutMs} ms)`, async () => {
      const r = await rawExchange(
        s.port,
        async (write, closed) => {
          write(uploadHead({ contentLength: 1024 * 1024, apiKey: API_KEY }));
          write(multipartHead());
          for (let i = 0; !closed() && i < 200; i++) {
            write(Buffer.alloc(64, 0x63));
            await sleep(400);
          }
        },
        LIMITS.requestTimeoutMs + SLACK_MS,
      );
      expect(r.closedMs, "the trickling upload was never cut").not.toBeNull();
      if (r.status !== null) expect(r.status).toBeGreaterThanOrEqual(400);
    });

    it("a slow upload that keeps within every limit succeeds byte for byte", async () => {
      const r0 = rand(seed);
      const content = Buffer.from(
        Array.from({ length: 40 }, (_, i) => `{"custom_id":"slow-${i}","n":${r0.int(0, 1e9)}}`).join("\n"),
      );
      const body = Buffer.concat([Buffer.from(multipartHead()), content, Buffer.from(multipartTail)]);
      const pieces = 8;
      const r = await rawExchange(
        s.port,
        async (write) => {
          write(uploadHead({ contentLength: body.length, apiKey: API_KEY }));
          for (let i = 0; i < pieces; i++) {
            write(
              body.subarray(
                Math.floor((i * body.length) / pieces),
                Math.floor(((i + 1) * body.length) / pieces),
              ),
            );
            await sleep(LIMITS.idleTimeoutMs / 3);
          }
        },
        LIMITS.requestTimeoutMs + SLACK_MS,
      );
      expect(r.status, r.text).toBe(200);
      const id = /"id":"([^"]+)"/.exec(r.text)?.[1];
      const res = await get(`/v1/files/${id}/content`);
      expect(Buffer.from(await res.arrayBuffer()).equals(content)).toBe(true);
    });
  });

  it("0 crashes: the process is alive and serving after all of it, with no temp file left", async () => {
    expect(isAlive(s), s.child.output().slice(-2000)).toBe(true);
    expect(tempFiles(s.dataDir)).toEqual({ count: 0, bytes: 0 });
    expect((await get("/health")).status).toBe(200);
    const { hwm } = memoryOf(s.pid);
    console.log(`fuzz abusive http: child peak RSS ${(hwm / 1024 ** 2).toFixed(0)} MB`);
    expect(hwm).toBeLessThan(400 * 1024 ** 2);
  });
});
