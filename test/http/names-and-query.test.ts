import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { defaultConfig } from "../../src/config/config.js";
import { type RunningApiServer, startApiServer } from "../../src/http/server.js";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { Store } from "../../src/store/store.js";
import { describePostgres, dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { batchLines, startTestApi, type TestApi } from "./helpers.js";
import { rawConnect } from "./raw-http.js";

const BOUNDARY = "docket-names";

/** An answer's JSON: a file object or OpenAI's error envelope. */
interface Answer {
  id: string;
  filename: string;
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** A multipart upload with a hand-written file part header (what a hostile client can send). */
async function rawUpload(url: string, disposition: string): Promise<{ status: number; json: Answer }> {
  const body = Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n`),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; `),
    Buffer.from(disposition, "utf8"),
    Buffer.from(`\r\nContent-Type: application/jsonl\r\n\r\n${batchLines(1)}\r\n--${BOUNDARY}--\r\n`),
  ]);
  const res = await request(`${url}/v1/files`, {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
    body,
  });
  return { status: res.statusCode, json: (await res.body.json()) as Answer };
}

describe("upload filenames", () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(async () => api.stop());

  it("keeps a UTF-8 name the openai SDK uploads, and gives it back on retrieve", async () => {
    const name = "résumé 📄 日本.jsonl";
    const p = path.join(api.dir, name);
    writeFileSync(p, batchLines(2));
    const client = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: "x", maxRetries: 0 });
    const created = await client.files.create({ file: createReadStream(p), purpose: "batch" });
    expect(created.filename).toBe(name);
    expect((await client.files.retrieve(created.id)).filename).toBe(name);
    expect((await api.store.getFile(created.id))?.filename).toBe(name);
  });

  it.each([
    ['filename="../../etc/passwd"', "passwd"],
    ['filename="..\\\\..\\\\windows\\\\win.ini"', "win.ini"],
    ['filename="/abs/path/in.jsonl"', "in.jsonl"],
    ["filename*=UTF-8''ev%01il%1B%7F%C2%85%00.jsonl", "evil.jsonl"],
    ['filename="gpj\u202e.exe"', "gpj.exe"],
    ["filename*=UTF-8''r%C3%A9sum%C3%A9%20%F0%9F%93%84.jsonl", "résumé 📄.jsonl"],
    ['filename="résumé.jsonl"', "résumé.jsonl"],
    ['filename=".."', "upload"],
    ["filename*=UTF-8''%01%0D%0A", "upload"],
  ])("stores %s as %j", async (disposition, stored) => {
    const res = await rawUpload(api.url, disposition);
    expect(res.status).toBe(200);
    expect(res.json.filename).toBe(stored);
    expect((await api.store.getFile(res.json.id))?.filename).toBe(stored);
  });

  it("refuses raw control characters in a part header as a malformed form, storing nothing", async () => {
    const res = await rawUpload(api.url, 'filename="ev\u0001il.jsonl"');
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain("Malformed multipart/form-data");
    expect(api.blobFiles()).toEqual([]);
  });

  it("cuts a very long name to 255 characters, keeping the extension", async () => {
    const res = await rawUpload(api.url, `filename="${"é".repeat(400)}.jsonl"`);
    expect(res.status).toBe(200);
    expect(Array.from(res.json.filename)).toHaveLength(255);
    expect(res.json.filename).toMatch(/^é+\.jsonl$/);
  });
});

/** Query and path parameters: invalid text is a 400 naming the parameter, on every engine. */
function queryChecks(base: () => string) {
  const get = async (p: string) => {
    const res = await request(base() + p);
    return { status: res.statusCode, json: (await res.body.json()) as Answer };
  };

  it.each([
    ["/v1/files?after=%00", "after"],
    ["/v1/files?after=file-a%00b", "after"],
    ["/v1/batches?after=batch_%00", "after"],
    ["/v1/files?purpose=ba%00tch", "purpose"],
    ["/v1/batches?limit=1%00", "limit"],
    ["/v1/files?after=%0Afile", "after"],
    ["/v1/files?after=%FF%FE", "after"],
    ["/v1/files?after=%E0%A4", "after"],
    ["/v1/files?after=%ED%A0%80", "after"],
    ["/v1/files?after=%zz", "after"],
    ["/v1/files/file-%00", "id"],
    ["/v1/batches/batch_%00x", "id"],
    ["/v1/files/file-%01/content", "id"],
  ])("GET %s answers 400 naming '%s'", async (p, param) => {
    const res = await get(p);
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe(param);
    expect(res.json.error.type).toBe("invalid_request_error");
    expect(res.json.error.message).toMatch(/control character|not valid percent-encoded UTF-8/);
  });

  it("still takes ordinary UTF-8 and escaped values", async () => {
    expect((await get("/v1/files?after=file-%C3%A9t%C3%A9")).status).toBe(200);
    expect((await get("/v1/files?purpose=batch&limit=2")).status).toBe(200);
    expect((await get("/v1/files/file-%C3%A9")).status).toBe(404);
  });

  it("answers a raw NUL byte sent in the request line without a 500", async () => {
    const conn = await rawConnect(base());
    conn.socket.write("GET /v1/files?after=a\u0000b HTTP/1.1\r\nHost: test\r\n\r\n");
    const received = await conn.closed.catch(() => "");
    // Node's parser refuses the request line itself: a 400, never a 500.
    expect(received).toMatch(/^HTTP\/1\.1 400/);
  });
}

describe("query parameters on SQLite", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.stop());
  queryChecks(() => api.url);
});

describePostgres("query parameters on PostgreSQL", (url) => {
  let store: Store;
  let server: RunningApiServer;
  let dir: string;
  const schema = freshSchemaName();
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "docket-pgq-"));
    store = await openPostgresStore({ url, schema, poolSize: 2 });
    server = await startApiServer({
      store,
      blobs: new LocalDirBlobStore(path.join(dir, "blobs")),
      config: defaultConfig().server,
      events: { workAvailable: () => {} },
      host: "127.0.0.1",
      port: 0,
    });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await dropSchema(url, schema);
    rmSync(dir, { recursive: true, force: true });
  });
  queryChecks(() => server.url);
});
