import { createReadStream, writeFileSync } from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { batchLines, startTestApi, type TestApi } from "./helpers.js";

/** The official SDK, unchanged, pointed at Docket: the compatibility promise of the API. */
describe("OpenAI SDK against the Files and Batches API", () => {
  let api: TestApi;
  let client: OpenAI;

  beforeEach(async () => {
    api = await startTestApi();
    client = new OpenAI({ baseURL: api.url + "/v1", apiKey: "x", maxRetries: 0 });
  });
  afterEach(async () => api.stop());

  async function upload(content: string, name = "input.jsonl") {
    const p = path.join(api.dir, name);
    writeFileSync(p, content);
    return client.files.create({ file: createReadStream(p), purpose: "batch" });
  }

  it("uploads, retrieves, lists, downloads and deletes a file", async () => {
    const content = batchLines(3);
    const before = Math.floor(Date.now() / 1000);
    const file = await upload(content);
    expect(file).toMatchObject({
      object: "file",
      bytes: Buffer.byteLength(content),
      filename: "input.jsonl",
      purpose: "batch",
      status: "processed",
      expires_at: null,
    });
    expect(file.id).toMatch(/^file-/);
    expect(file.created_at).toBeGreaterThanOrEqual(before);
    expect(file.created_at).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));

    expect(await client.files.retrieve(file.id)).toEqual(file);
    const listed = await client.files.list({ purpose: "batch" });
    expect(listed.data.map((f) => f.id)).toEqual([file.id]);
    expect((await client.files.list({ purpose: "user_data" })).data).toEqual([]);

    const download = await client.files.content(file.id);
    expect(download.headers.get("content-type")).toBe("application/jsonl");
    expect(await download.text()).toBe(content);

    expect(await client.files.delete(file.id)).toEqual({ id: file.id, object: "file", deleted: true });
    await expect(client.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(api.blobFiles()).toEqual([]);
  });

  it("pages through files newest first", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await upload(`{"n":${i}}`, `f${i}.jsonl`)).id);
    const first = await client.files.list({ limit: 2 });
    expect(first.data.map((f) => f.id)).toEqual([ids[4], ids[3]]);
    expect(first.has_more).toBe(true);
    const all: string[] = [];
    for await (const f of client.files.list({ limit: 2 })) all.push(f.id);
    expect(all).toEqual([...ids].reverse());
  });

  it("creates, retrieves and lists batches", async () => {
    const file = await upload(batchLines(2));
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { team: "search" },
    });
    expect(batch).toMatchObject({
      object: "batch",
      endpoint: "/v1/chat/completions",
      input_file_id: file.id,
      completion_window: "24h",
      status: "validating",
      errors: null,
      output_file_id: null,
      error_file_id: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: { team: "search" },
    });
    expect(batch.id).toMatch(/^batch_/);
    expect(batch.expires_at).toBe(batch.created_at + 86_400);
    expect(api.wakeups()).toBe(1);

    expect(await client.batches.retrieve(batch.id)).toEqual(batch);
    const list = await client.batches.list();
    expect(list.data.map((b) => b.id)).toEqual([batch.id]);
  });

  it("accepts short completion windows such as 3s", async () => {
    const file = await upload(batchLines(1));
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/embeddings",
      completion_window: "3s" as "24h",
    });
    expect(batch.completion_window).toBe("3s");
    expect(batch.expires_at! - batch.created_at).toBeGreaterThanOrEqual(2);
    expect(batch.expires_at! - batch.created_at).toBeLessThanOrEqual(3);
  });

  it("pages through batches with has_more and after", async () => {
    const file = await upload(batchLines(1));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const b = await client.batches.create({
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      });
      ids.push(b.id);
    }
    const page = await client.batches.list({ limit: 2 });
    expect(page.data.map((b) => b.id)).toEqual([ids[4], ids[3]]);
    expect(page.has_more).toBe(true);
    const next = await client.batches.list({ limit: 2, after: ids[3] });
    expect(next.data.map((b) => b.id)).toEqual([ids[2], ids[1]]);
    const all: string[] = [];
    for await (const b of client.batches.list({ limit: 2 })) all.push(b.id);
    expect(all).toEqual([...ids].reverse());
  });

  it("cancels a batch, and refuses to cancel a finished one the way OpenAI does", async () => {
    const file = await upload(batchLines(1));
    const params = {
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    } as const;
    const batch = await client.batches.create(params);
    const cancelled = await client.batches.cancel(batch.id);
    expect(cancelled.status).toBe("cancelling");
    expect(cancelled.cancelling_at).toBeGreaterThanOrEqual(batch.created_at);
    expect(api.wakeups()).toBe(2);
    // Cancelling again is harmless and changes nothing.
    expect((await client.batches.cancel(batch.id)).status).toBe("cancelling");

    const failed = await client.batches.create(params);
    await api.store.failValidation(
      failed.id,
      [{ code: "invalid_json_line", message: "Line 1 is not valid JSON.", line: 1, param: null }],
      Date.now(),
    );
    const err = await client.batches.cancel(failed.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain(
      "Cannot cancel a batch with status 'failed'.",
    );
    const after = await client.batches.retrieve(failed.id);
    expect(after.status).toBe("failed");
    expect(after.errors).toEqual({
      object: "list",
      data: [{ code: "invalid_json_line", message: "Line 1 is not valid JSON.", line: 1, param: null }],
    });
  });

  it("reports unknown ids as NotFoundError", async () => {
    await expect(client.batches.retrieve("batch_nope")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.batches.cancel("batch_nope")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.files.content("file-nope")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("sends the API key when the server requires one", async () => {
    await api.stop();
    api = await startTestApi({ apiKey: "sk-docket" });
    const denied = new OpenAI({ baseURL: api.url + "/v1", apiKey: "wrong", maxRetries: 0 });
    await expect(denied.batches.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const allowed = new OpenAI({ baseURL: api.url + "/v1", apiKey: "sk-docket", maxRetries: 0 });
    expect((await allowed.batches.list()).data).toEqual([]);
  });
});
