import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Readable } from "node:stream";
import OpenAI, { toFile } from "openai";
import { FormData, request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { httpAgent } from "../../src/http-client/http-agent.js";
import { batchLines, startTestApi, type TestApi } from "./helpers.js";

/**
 * The Batch and File objects and their endpoints, field by field against the official SDK's
 * own type declarations (read from node_modules, so an SDK upgrade that adds a field fails here).
 */
const sdkTypes = path.dirname(createRequire(import.meta.url).resolve("openai/resources/batches"));

/** The body of `interface NAME { … }` (top level or inside a namespace) and its indentation. */
function sdkInterface(file: string, name: string): { body: string; indent: string } {
  const text = readFileSync(path.join(sdkTypes, file), "utf8");
  const head = new RegExp(`^( *)(?:export )?interface ${name} \\{$`, "m").exec(text);
  if (!head) throw new Error(`interface ${name} not found in the SDK's ${file}`);
  const indent = head[1]!;
  const end = text.indexOf(`\n${indent}}`, head.index);
  return { body: text.slice(head.index, end), indent: `${indent}    ` };
}

/** Field names of an SDK interface, sorted. */
function sdkFields(file: string, name: string): string[] {
  const { body, indent } = sdkInterface(file, name);
  return [...body.matchAll(new RegExp(`^${indent}(\\w+)\\??: `, "gm"))].map((m) => m[1]!).sort();
}

/** The string literals of a field's union type, e.g. Batch.status. */
function sdkUnion(file: string, name: string, field: string): string[] {
  const { body, indent } = sdkInterface(file, name);
  const line = new RegExp(`^${indent}${field}\\??: (.+);$`, "m").exec(body);
  if (!line) throw new Error(`${name}.${field} not found in the SDK's ${file}`);
  return [...line[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
}

const DAY = 86_400;

describe("OpenAI conformance of Batch and File objects", () => {
  let api: TestApi;
  let client: OpenAI;

  beforeEach(async () => {
    api = await startTestApi();
    client = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: "x", maxRetries: 0 });
  });
  afterEach(async () => api.stop());

  const upload = async (content = batchLines(2), name = "input.jsonl", extra: object = {}) =>
    client.files.create({ file: await toFile(Buffer.from(content), name), purpose: "batch", ...extra });

  async function badRequest(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.BadRequestError>> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    return err as InstanceType<typeof OpenAI.BadRequestError>;
  }

  describe("Batch", () => {
    const create = async (extra: Record<string, unknown> = {}) =>
      client.batches.create({
        input_file_id: (await upload()).id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        ...extra,
      } as OpenAI.Batches.BatchCreateParams);

    it("has exactly the SDK's fields, with the SDK's status values and usage shape", async () => {
      const batch = await create();
      expect(Object.keys(batch).sort()).toEqual(sdkFields("batches.d.ts", "Batch"));
      expect(sdkUnion("batches.d.ts", "Batch", "status").sort()).toEqual(
        [
          "validating",
          "failed",
          "in_progress",
          "finalizing",
          "completed",
          "expired",
          "cancelling",
          "cancelled",
        ].sort(),
      );
      expect(Object.keys(batch.usage!).sort()).toEqual(sdkFields("batches.d.ts", "BatchUsage"));
      expect(batch.usage).toEqual({
        input_tokens: 0,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 0,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 0,
      });
      expect(Object.keys(batch.request_counts!).sort()).toEqual(
        sdkFields("batches.d.ts", "BatchRequestCounts"),
      );
      // Nothing read yet: the model is only known once validation has read the requests.
      expect(batch.status).toBe("validating");
      expect(batch.model).toBeNull();
      expect(batch.metadata).toBeNull();
      for (const k of ["created_at", "expires_at"] as const) expect(Number.isInteger(batch[k])).toBe(true);
    });

    it("renders validation errors as {object: 'list', data} of the SDK's BatchError fields", async () => {
      const batch = await create();
      await api.store.failValidation(
        batch.id,
        [{ code: "invalid_json_line", message: "Line 2 is not valid JSON.", line: 2, param: null }],
        Date.now(),
      );
      const failed = await client.batches.retrieve(batch.id);
      expect(failed.status).toBe("failed");
      expect(failed.failed_at).toBeGreaterThanOrEqual(batch.created_at);
      expect(Object.keys(failed.errors!).sort()).toEqual(sdkFields("batches.d.ts", "Errors"));
      expect(failed.errors?.object).toBe("list");
      expect(Object.keys(failed.errors!.data![0]!).sort()).toEqual(sdkFields("batches.d.ts", "BatchError"));
    });

    it("accepts output_expires_after within OpenAI's 1 hour to 30 days", async () => {
      for (const seconds of [3600, 86_400, 30 * DAY]) {
        const batch = await create({ output_expires_after: { anchor: "created_at", seconds } });
        expect(batch.status).toBe("validating");
      }
      expect((await create({ output_expires_after: null })).status).toBe("validating");
    });

    it("refuses output_expires_after outside OpenAI's bounds, naming the parameter", async () => {
      const cases: Array<[unknown, string]> = [
        [{ anchor: "created_at", seconds: 3599 }, "output_expires_after.seconds"],
        [{ anchor: "created_at", seconds: 30 * DAY + 1 }, "output_expires_after.seconds"],
        [{ anchor: "created_at", seconds: 60 }, "output_expires_after.seconds"],
        [{ anchor: "created_at", seconds: 3600.5 }, "output_expires_after.seconds"],
        [{ anchor: "created_at", seconds: "3600" }, "output_expires_after.seconds"],
        [{ anchor: "created_at" }, "output_expires_after.seconds"],
        [{ anchor: "last_active_at", seconds: 3600 }, "output_expires_after.anchor"],
        [{ seconds: 3600 }, "output_expires_after.anchor"],
        [3600, "output_expires_after"],
        [[], "output_expires_after"],
      ];
      for (const [value, param] of cases) {
        const err = await badRequest(create({ output_expires_after: value }));
        expect(err.param, JSON.stringify(value)).toBe(param);
        expect(err.message).toContain(param);
      }
      const err = await badRequest(create({ output_expires_after: { anchor: "created_at", seconds: 60 } }));
      expect(err.message).toContain("3600");
      expect(err.message).toContain("2592000");
      expect((await client.batches.list()).data).toEqual([]); // none was created
    });

    it("accepts 24h and other durations up to the configured maximum completion_window", async () => {
      for (const window of ["24h", "90m", "7d", "168h"]) {
        const batch = await create({ completion_window: window });
        expect(batch.completion_window).toBe(window);
      }
      for (const window of ["8760h", "169h", "8d", `${"9".repeat(400)}d`]) {
        const err = await badRequest(create({ completion_window: window }));
        expect(err.param).toBe("completion_window");
        expect(err.message).toContain("at most 7d");
        expect(err.message).toContain("server.maxCompletionWindowMs");
      }

      await api.stop();
      api = await startTestApi({ maxCompletionWindowMs: 2 * 3_600_000 });
      client = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: "x", maxRetries: 0 });
      expect((await create({ completion_window: "2h" })).completion_window).toBe("2h");
      const err = await badRequest(create({ completion_window: "24h" }));
      expect(err.message).toContain("at most 2h");
    });
  });

  describe("File", () => {
    it("has exactly the SDK's fields, a purpose the SDK knows, and the SDK's delete shape", async () => {
      const file = await upload();
      expect(Object.keys(file).sort()).toEqual(sdkFields("files.d.ts", "FileObject"));
      expect(sdkUnion("files.d.ts", "FileObject", "purpose")).toEqual(
        expect.arrayContaining(["batch", "batch_output", "user_data"]),
      );
      expect(sdkUnion("files.d.ts", "FileObject", "status")).toContain(file.status);
      expect(file.status_details).toBeNull();
      const deleted = await client.files.delete(file.id);
      expect(Object.keys(deleted).sort()).toEqual(sdkFields("files.d.ts", "FileDeleted"));
      expect(deleted).toEqual({ id: file.id, object: "file", deleted: true });
    });

    it("honours expires_after from 1 hour to 30 days and refuses anything else, naming the field", async () => {
      for (const seconds of [3600, 30 * DAY]) {
        const f = await upload(undefined, "a.jsonl", { expires_after: { anchor: "created_at", seconds } });
        expect(f.expires_at! - f.created_at).toBe(seconds);
        expect((await client.files.retrieve(f.id)).expires_at).toBe(f.expires_at);
      }
      for (const seconds of [60, 3599, 30 * DAY + 1, 1.5]) {
        const err = await badRequest(
          upload(undefined, "a.jsonl", { expires_after: { anchor: "created_at", seconds } }),
        );
        expect(err.param).toBe("expires_after.seconds");
        expect(err.message).toContain("3600");
      }
      const err = await badRequest(
        upload(undefined, "a.jsonl", { expires_after: { anchor: "last_active_at", seconds: 3600 } }),
      );
      expect(err.param).toBe("expires_after.anchor");
      // Fields sent before the file (curl -F order) are refused the same way.
      for (const [field, value, param] of [
        ["expires_after[seconds]", "60", "expires_after.seconds"],
        ["expires_after[anchor]", "now", "expires_after.anchor"],
      ]) {
        const form = new FormData();
        form.append("purpose", "batch");
        form.append(field!, value!);
        form.append("file", new Blob(["{}\n"]), "a.jsonl");
        const res = await request(`${api.url}/v1/files`, {
          method: "POST",
          body: form,
          dispatcher: httpAgent,
        });
        expect(res.statusCode).toBe(400);
        expect(((await res.body.json()) as { error: { param: string } }).error.param).toBe(param);
      }
      // Refused uploads keep neither a row nor a blob.
      expect((await client.files.list()).data).toHaveLength(2);
      expect(api.blobFiles()).toHaveLength(2);
    });

    it("lists with order asc|desc, after, limit and purpose as OpenAI does", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const purpose = i % 2 === 0 ? "batch" : "user_data";
        ids.push(
          (
            await client.files.create({
              file: await toFile(Buffer.from(`{"n":${i}}`), `f${i}.jsonl`),
              purpose,
            })
          ).id,
        );
      }
      const ids_ = (page: { data: Array<{ id: string }> }) => page.data.map((f) => f.id);
      expect(ids_(await client.files.list())).toEqual([...ids].reverse());
      expect(ids_(await client.files.list({ order: "desc" }))).toEqual([...ids].reverse());
      expect(ids_(await client.files.list({ order: "asc" }))).toEqual(ids);
      const first = await client.files.list({ order: "asc", limit: 2 });
      expect(ids_(first)).toEqual([ids[0], ids[1]]);
      expect(first.has_more).toBe(true);
      expect(ids_(await client.files.list({ order: "asc", limit: 2, after: ids[1] }))).toEqual([
        ids[2],
        ids[3],
      ]);
      expect(ids_(await client.files.list({ order: "desc", limit: 2, after: ids[3] }))).toEqual([
        ids[2],
        ids[1],
      ]);
      expect(ids_(await client.files.list({ order: "asc", purpose: "batch" }))).toEqual([
        ids[0],
        ids[2],
        ids[4],
      ]);
      expect(ids_(await client.files.list({ order: "desc", purpose: "user_data" }))).toEqual([
        ids[3],
        ids[1],
      ]);
      // The SDK's auto-pagination follows `after` in either order.
      const all: string[] = [];
      for await (const f of client.files.list({ order: "asc", limit: 2 })) all.push(f.id);
      expect(all).toEqual(ids);
      const err = await badRequest(client.files.list({ order: "sideways" as "asc" }));
      expect(err.param).toBe("order");
    });
  });

  describe("file download Content-Disposition (RFC 6266 / RFC 5987)", () => {
    const hostileNames = [
      "données été.jsonl",
      "数据 🎉.jsonl",
      'say "hi".jsonl',
      "back\\slash.jsonl",
      "cr\r\nlf.jsonl",
      "nul\0.jsonl",
      "100%.jsonl",
      "a\ud800b.jsonl",
      `${"🎉".repeat(5000)}.jsonl`,
      `${"n".repeat(70_000)}.jsonl`,
      "",
    ];

    async function storeFileNamed(filename: string, content: string): Promise<string> {
      const id = `file-cd${Math.random().toString(36).slice(2)}`;
      const { bytes } = await api.blobs.put(`files/${id}`, Readable.from([content]));
      await api.store.insertFile({
        projectId: "default",
        id,
        filename,
        purpose: "batch",
        bytes,
        blobKey: `files/${id}`,
        createdAt: Date.now(),
        expiresAt: null,
      });
      return id;
    }

    it("serves every name with 200, an ASCII fallback and the exact UTF-8 name in filename*", async () => {
      for (const name of hostileNames) {
        const content = `{"name":${JSON.stringify(name.slice(0, 20))}}\n`;
        const id = await storeFileNamed(name, content);
        const res = await request(`${api.url}/v1/files/${id}/content`);
        expect(res.statusCode, JSON.stringify(name.slice(0, 40))).toBe(200);
        expect(await res.body.text()).toBe(content);
        const header = String(res.headers["content-disposition"]);
        const m =
          /^attachment; filename="([\x20-\x21\x23-\x5b\x5d-\x7e]*)"; filename\*=UTF-8''([!#$&+\-.^_`|~%\w]+)$/.exec(
            header,
          );
        expect(m, header.slice(0, 200)).not.toBeNull();
        const decoded = decodeURIComponent(m![2]!);
        // The name as the store gives it back (SQLite turns a lone surrogate into U+FFFDs).
        const stored = (await client.files.retrieve(id)).filename;
        if (!name.includes("\ud800")) expect(stored).toBe(name);
        const expected = stored || "download";
        if (Buffer.byteLength(expected) <= 255) expect(decoded).toBe(expected);
        else {
          expect(Buffer.byteLength(decoded)).toBeLessThanOrEqual(255);
          expect(decoded.endsWith(".jsonl")).toBe(true);
          expect(expected.startsWith(decoded.slice(0, -".jsonl".length))).toBe(true);
        }
      }
      expect(api.logged).toEqual([]);
    });

    it("serves a UTF-8 name uploaded through the SDK", async () => {
      const p = path.join(api.dir, "x.jsonl");
      writeFileSync(p, batchLines(1));
      const file = await client.files.create({
        file: await toFile(readFileSync(p), "résumé 🎉.jsonl"),
        purpose: "batch",
      });
      expect(file.filename).toBe("résumé 🎉.jsonl");
      const res = await client.files.content(file.id);
      const header = res.headers.get("content-disposition") ?? "";
      expect(header).toContain(`filename*=UTF-8''${encodeURIComponent(file.filename)}`);
      expect(await res.text()).toBe(batchLines(1));
    });
  });
});
