import { createReadStream, writeFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import OpenAI from "openai";
import { FormData, request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { httpAgent } from "../../src/http-client/http-agent.js";
import { batchLines, startTestApi, type TestApi } from "./helpers.js";

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Raw HTTP checks of the OpenAI error shape and status codes, which the SDK hides. */
describe("API errors", () => {
  let api: TestApi;

  beforeEach(async () => {
    api = await startTestApi({ maxUploadBytes: 64 * 1024 });
  });
  afterEach(async () => api.stop());

  async function call(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: string | FormData) {
    const headers: Record<string, string> =
      typeof body === "string" ? { "content-type": "application/json" } : {};
    const res = await request(api.url + path, { method, body, headers, dispatcher: httpAgent });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, json: JSON.parse(text) as unknown };
  }

  async function uploadForm(
    fields: Record<string, string>,
    file?: { content: string | Uint8Array<ArrayBuffer>; name: string },
  ) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    if (file) form.append("file", new Blob([file.content]), file.name);
    return call("POST", "/v1/files", form);
  }

  async function uploadBatchFile(purpose = "batch"): Promise<string> {
    const res = await uploadForm({ purpose }, { content: batchLines(2), name: "in.jsonl" });
    expect(res.status).toBe(200);
    return (res.json as { id: string }).id;
  }

  function expectError(res: { status: number; json: unknown }, status: number, param: string | null = null) {
    expect(res.status).toBe(status);
    const body = res.json as ErrorBody;
    expect(Object.keys(body)).toEqual(["error"]);
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(body.error.param).toBe(param);
    expect(body.error.message.length).toBeGreaterThan(10);
    return body.error;
  }

  it("answers /health", async () => {
    expect(await call("GET", "/health")).toMatchObject({ status: 200, json: { status: "ok" } });
  });

  it("answers unknown routes with 404 and wrong methods with 405", async () => {
    expect(expectError(await call("GET", "/v1/nothing"), 404).type).toBe("invalid_request_error");
    const res = await call("PUT", "/v1/batches");
    expectError(res, 405);
    expect(res.headers.allow).toBe("POST, GET");
  });

  it("refuses a body that is not JSON", async () => {
    const err = expectError(await call("POST", "/v1/batches", "{not json"), 400);
    expect(err.type).toBe("invalid_request_error");
    expect(err.message).toContain("JSON");
    expectError(await call("POST", "/v1/batches", "[1,2]"), 400);
    expectError(await call("POST", "/v1/batches", ""), 400);
  });

  it("refuses a JSON body over the size limit with 413", async () => {
    const huge = JSON.stringify({ metadata: { a: "x".repeat(2 * 1024 * 1024) } });
    expectError(await call("POST", "/v1/batches", huge), 413);
  });

  it("answers a chunked JSON body over the limit with a 413 the client can read", async () => {
    async function* chunked() {
      yield '{"metadata":{"a":"';
      for (let i = 0; i < 3; i++) yield "x".repeat(1024 * 1024);
      yield '"}}';
    }
    const res = await request(api.url + "/v1/batches", { method: "POST", body: Readable.from(chunked()) });
    expect(res.headers["content-length"]).toBeDefined();
    expectError({ status: res.statusCode, json: await res.body.json() }, 413);
    expect((await call("GET", "/health")).status).toBe(200);
  });

  it("validates batch creation field by field", async () => {
    const fileId = await uploadBatchFile();
    const base = { input_file_id: fileId, endpoint: "/v1/chat/completions", completion_window: "24h" };
    const create = (patch: Record<string, unknown>) =>
      call("POST", "/v1/batches", JSON.stringify({ ...base, ...patch }));

    const bad = expectError(await create({ endpoint: "/v1/images" }), 400, "endpoint");
    expect(bad.message).toContain("/v1/chat/completions");
    expectError(await create({ completion_window: "tomorrow" }), 400, "completion_window");
    expectError(await create({ completion_window: 24 }), 400, "completion_window");
    expect(expectError(await create({ input_file_id: "file-missing" }), 404, "input_file_id").code).toBe(
      "not_found",
    );
    expectError(await create({ input_file_id: undefined }), 400, "input_file_id");
    const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"]));
    expectError(await create({ metadata: tooMany }), 400, "metadata");
    expectError(await create({ metadata: { n: 1 } }), 400, "metadata");
    expectError(await create({ metadata: ["a"] }), 400, "metadata");

    const userData = await uploadBatchFile("user_data");
    expect(expectError(await create({ input_file_id: userData }), 400, "input_file_id").message).toContain(
      "purpose",
    );

    // None of the refused requests created a job or woke a worker.
    expect((await call("GET", "/v1/batches")).json).toMatchObject({ data: [], has_more: false });
    expect(api.wakeups()).toBe(0);
    expect((await create({})).status).toBe(200);
    expect(api.wakeups()).toBe(1);
  });

  it("validates list parameters", async () => {
    expectError(await call("GET", "/v1/batches?limit=101"), 400, "limit");
    expectError(await call("GET", "/v1/batches?limit=0"), 400, "limit");
    expectError(await call("GET", "/v1/files?limit=abc"), 400, "limit");
    expectError(await call("GET", "/v1/files?order=newest"), 400, "order");
    expect((await call("GET", "/v1/files?order=asc")).status).toBe(200);
    expect((await call("GET", "/v1/files?limit=10000")).status).toBe(200);
  });

  it("refuses uploads with a bad or missing purpose or file, keeping no blob", async () => {
    const file = { content: "{}\n", name: "a.jsonl" };
    expect(expectError(await uploadForm({ purpose: "fine-tune" }, file), 400, "purpose").message).toContain(
      "batch, user_data",
    );
    expectError(await uploadForm({}, file), 400, "purpose");
    expectError(await uploadForm({ purpose: "batch" }), 400, "file");
    expectError(await call("POST", "/v1/files", JSON.stringify({ purpose: "batch" })), 400, "file");
    expect(api.blobFiles()).toEqual([]);
    expect((await call("GET", "/v1/files")).json).toMatchObject({ data: [] });
  });

  it("refuses a bad purpose sent after the file, removing the stored blob", async () => {
    const form = new FormData();
    form.append("file", new Blob(["{}\n"]), "a.jsonl");
    form.append("purpose", "assistants");
    expectError(await call("POST", "/v1/files", form), 400, "purpose");
    expect(api.blobFiles()).toEqual([]);
  });

  it("honours expires_after on upload", async () => {
    const res = await uploadForm(
      { purpose: "batch", "expires_after[anchor]": "created_at", "expires_after[seconds]": "3600" },
      { content: "{}\n", name: "a.jsonl" },
    );
    const body = res.json as { created_at: number; expires_at: number };
    expect(body.expires_at - body.created_at).toBe(3600);
  });

  it("answers a too-large upload with 413, keeps no partial blob, and stays up", async () => {
    const big = new Uint8Array(200 * 1024).fill(65);
    const err = expectError(await uploadForm({ purpose: "batch" }, { content: big, name: "big.jsonl" }), 413);
    expect(err.message).toContain(String(64 * 1024));
    expect(api.blobFiles()).toEqual([]);
    expect((await call("GET", "/v1/files")).json).toMatchObject({ data: [] });

    expect((await call("GET", "/health")).status).toBe(200);
    await uploadBatchFile();
    expect(api.blobFiles()).toHaveLength(1);
  });

  it("gives the official SDK a 413 it can read for a large upload, on a connection it can reuse", async () => {
    const p = path.join(api.dir, "big.jsonl");
    writeFileSync(p, Buffer.alloc(8 * 1024 * 1024, "{}\n"));
    const client = new OpenAI({ baseURL: api.url + "/v1", apiKey: "x", maxRetries: 0 });
    const err = await client.files
      .create({ file: createReadStream(p), purpose: "batch" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    expect(api.blobFiles()).toEqual([]);
    expect((await client.files.list()).data).toEqual([]);
  });

  it("turns unexpected failures into a 500 that leaks nothing, and logs them", async () => {
    await api.store.close();
    const res = await call("GET", "/v1/batches");
    const err = expectError(res, 500);
    expect(err.type).toBe("server_error");
    expect(JSON.stringify(res.json)).not.toMatch(/sqlite|database|at .*\.ts/i);
    expect(api.logged).toHaveLength(1);
  });

  it("requires the API key when one is configured, but not for /health", async () => {
    await api.stop();
    api = await startTestApi({ apiKey: "sk-secret" });
    const list = (auth?: string) =>
      request(api.url + "/v1/files", { headers: auth ? { authorization: auth } : {} }).then(async (r) => ({
        status: r.statusCode,
        json: await r.body.json(),
      }));
    expect(expectError(await list(), 401).code).toBe("missing_api_key");
    expect(expectError(await list("Bearer sk-secreT"), 401).code).toBe("invalid_api_key");
    expect(expectError(await list("Basic sk-secret"), 401).code).toBe("invalid_api_key");
    expect((await list("Bearer sk-secret")).status).toBe(200);
    expect((await call("GET", "/health")).status).toBe(200);
  });
});
