import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { defaultConfig } from "../../src/config/config.js";
import { parseProjectsConfig } from "../../src/config/projects-config.js";
import { generateApiKey } from "../../src/domain/api-key.js";
import { ProjectQuotas } from "../../src/http/quotas.js";
import { type RunningApiServer, startApiServer } from "../../src/http/server.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { runningTestJob } from "../store-contract/fixtures.js";

/**
 * Per-project quotas through the real API and the official SDKs: each limit refused with its
 * numbers, in the dialect of the path, and only for the project over it.
 */
describe("project quotas", () => {
  let dir: string;
  let store: Store;
  let blobs: LocalDirBlobStore;
  let server: RunningApiServer;
  let clock: number;
  const keys: Record<string, string> = {};

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "docket-quotas-"));
    store = openSqliteStore({ path: path.join(dir, "docket.sqlite"), synchronous: "NORMAL" });
    blobs = new LocalDirBlobStore(path.join(dir, "blobs"));
    for (const projectId of ["team-a", "team-b"]) {
      const { id, key, hash } = generateApiKey();
      await store.createApiKey({
        id,
        projectId,
        role: "member",
        label: "",
        hash,
        createdAt: 0,
        revokedAt: null,
      });
      keys[projectId] = key;
    }
    clock = 1_700_000_000_000;
    const projects = parseProjectsConfig({
      "*": { maxConcurrentJobs: 50 },
      "team-a": { maxConcurrentJobs: 2, maxStoredBytes: 1000, maxQueuedRecords: 10, requestsPerMinute: 60 },
    });
    server = await startApiServer({
      store,
      blobs,
      config: { ...defaultConfig().server },
      events: { workAvailable: () => {} },
      quotas: new ProjectQuotas(projects, store),
      now: () => clock,
      host: "127.0.0.1",
      port: 0,
    });
  });

  afterEach(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const openai = (projectId: string) =>
    new OpenAI({ baseURL: `${server.url}/v1`, apiKey: keys[projectId]!, maxRetries: 0 });
  const upload = (projectId: string, bytes: number) =>
    openai(projectId).files.create({
      file: new File([`${"x".repeat(bytes - 1)}\n`], "in.jsonl"),
      purpose: "batch",
    });
  const refusal = async (work: Promise<unknown>) => {
    const err = await work.then(
      () => {
        throw new Error("expected a refusal");
      },
      (e: unknown) => e,
    );
    return err as { status: number; message: string; code?: string; headers: Headers };
  };
  const blobCount = () =>
    readdirSync(blobs.root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;

  it("refuses a job past maxConcurrentJobs with 429, naming the limit, in each dialect", async () => {
    clock += 60_000;
    const file = await upload("team-a", 100);
    const create = (projectId: string, fileId: string) =>
      openai(projectId).batches.create({
        input_file_id: fileId,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      });
    await create("team-a", file.id);
    await create("team-a", file.id);
    const err = await refusal(create("team-a", file.id));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.code).toBe("concurrent_jobs_limit_exceeded");
    expect(err.message).toContain("already has 2 jobs not yet ended");
    expect(err.message).toContain("projects.maxConcurrentJobs = 2");

    // The same limit on Anthropic's path answers in Anthropic's shape.
    const anthropic = new Anthropic({ baseURL: server.url, apiKey: keys["team-a"]!, maxRetries: 0 });
    const refusedBatch = await refusal(
      anthropic.messages.batches.create({
        requests: [
          {
            custom_id: "a",
            params: { model: "m", max_tokens: 1, messages: [{ role: "user", content: "hi" }] },
          },
        ],
      }),
    );
    expect(refusedBatch).toBeInstanceOf(Anthropic.RateLimitError);
    expect((refusedBatch as unknown as { error: { error: { type: string } } }).error.error.type).toBe(
      "rate_limit_error",
    );

    // Another project is not touched by team-a's limit.
    const other = await upload("team-b", 100);
    for (let i = 0; i < 3; i++) await create("team-b", other.id);
  });

  it("refuses an upload past maxStoredBytes with 403 and keeps nothing of it", async () => {
    await upload("team-a", 600);
    const blobsBefore = blobCount();
    const err = await refusal(upload("team-a", 600));
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.code).toBe("quota_exceeded");
    expect(err.message).toContain("This upload of 600 bytes would bring project 'team-a' to 1200 bytes");
    expect(err.message).toContain("projects.maxStoredBytes = 1000; 400 bytes left");
    expect(blobCount()).toBe(blobsBefore);
    expect((await openai("team-a").files.list()).data).toHaveLength(1);

    clock += 60_000;
    await upload("team-a", 400); // exactly the limit fits
    const full = await refusal(upload("team-a", 1));
    expect(full.status).toBe(403);
    expect(full.message).toContain("stores 1000 bytes of files, at or over its limit");
    await upload("team-b", 5000);
  });

  it("refuses a new job while maxQueuedRecords are queued, with 403", async () => {
    await runningTestJob(store, 10, { over: { projectId: "team-a" } });
    const file = await upload("team-a", 50);
    const err = await refusal(
      openai("team-a").batches.create({
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      }),
    );
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.message).toContain(
      "has 10 records queued, at or over its limit (projects.maxQueuedRecords = 10)",
    );
  });

  it("limits API requests per minute per project with 429 and Retry-After", async () => {
    // 60 per minute with a burst of a tenth of a minute: 6 at once, then one a second.
    const list = (projectId: string) =>
      fetch(`${server.url}/v1/batches`, { headers: { authorization: `Bearer ${keys[projectId]}` } });
    for (let i = 0; i < 6; i++) expect((await list("team-a")).status).toBe(200);
    const limited = await list("team-a");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    const body = (await limited.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("rate_limit_exceeded");
    expect(body.error.message).toContain("over its limit of 60 API requests per minute");
    // team-b has no rate limit; team-a gets one more after a second.
    for (let i = 0; i < 20; i++) expect((await list("team-b")).status).toBe(200);
    clock += 1000;
    expect((await list("team-a")).status).toBe(200);
    expect((await list("team-a")).status).toBe(429);
  });
});
