import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { defaultConfig, type RouteConfig } from "../../src/config/config.js";
import { type ApiKeyRole, generateApiKey } from "../../src/domain/api-key.js";
import type { ProviderJobState } from "../../src/domain/provider-job.js";
import { type RunningApiServer, startApiServer } from "../../src/http/server.js";
import { httpAgent } from "../../src/http-client/http-agent.js";
import { RouteTable } from "../../src/routing/route-table.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";

/**
 * The dashboard's project column and filter (issue 15 rules, src/http/ownership.ts) and the batch
 * routes' slots in use (issue 13), on a real API server over SQLite. No worker runs, so the
 * provider jobs written to the store stay in the states the test puts them in.
 */
const ROUTES: RouteConfig[] = [
  {
    name: "online",
    models: ["gpt-*"],
    backend: { type: "openai", baseUrl: "http://127.0.0.1:9" },
    concurrency: 4,
    timeoutMs: 10_000,
    maxAttempts: 3,
  },
  {
    name: "cheap",
    models: ["batch-*"],
    backend: { type: "openai-batch", baseUrl: "http://127.0.0.1:9/v1", maxJobsInFlight: 3 },
    concurrency: 1,
    timeoutMs: 10_000,
    maxAttempts: 3,
  },
];

let dir: string;
let store: Store;
let server: RunningApiServer;
let admin: string;
let memberA: string;

// biome-ignore lint/suspicious/noExplicitAny: bodies are checked field by field.
async function get(p: string, key: string): Promise<{ status: number; body: any }> {
  const res = await request(server.url + p, {
    headers: { authorization: `Bearer ${key}` },
    dispatcher: httpAgent,
  });
  return { status: res.statusCode, body: await res.body.json() };
}

async function storedKey(projectId: string, role: ApiKeyRole): Promise<string> {
  const { id, key, hash } = generateApiKey();
  await store.createApiKey({
    id,
    projectId,
    role,
    label: null,
    hash,
    createdAt: Date.now(),
    revokedAt: null,
  });
  return key;
}

async function insertJob(id: string, projectId: string, createdAt: number): Promise<void> {
  await store.insertJob({
    id,
    projectId,
    endpoint: "/v1/chat/completions",
    inputFileId: "file-x",
    completionWindow: "24h",
    metadata: null,
    createdAt,
    expiresAt: createdAt + 86_400_000,
  });
}

/** A provider job on `route` walked through the real transitions to `state`. */
async function providerJobIn(id: string, route: string, state: ProviderJobState): Promise<void> {
  const path: ProviderJobState[] = ["packing", "uploading", "submitting", "running", "ingesting", "done"];
  await store.createProviderJob({ id, route, model: "batch-1", endpoint: "/v1/chat/completions", now: 1 });
  for (let i = 1; i <= path.indexOf(state); i++) {
    const moved = await store.moveProviderJob(id, path[i - 1]!, path[i]!, 2, {
      providerJobId: `batch_p_${id}`,
    });
    expect(moved).toBe(true);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "docket-dash-proj-"));
  store = openSqliteStore({ path: path.join(dir, "docket.sqlite"), synchronous: "NORMAL" });
  const config = defaultConfig();
  server = await startApiServer({
    store,
    blobs: new LocalDirBlobStore(path.join(dir, "blobs")),
    config: config.server,
    events: { workAvailable: () => {} },
    async: {
      routes: new RouteTable(ROUTES),
      invocations: config.invocations!,
      webhooks: config.webhooks!,
      outputRetentionMs: null,
    },
    host: "127.0.0.1",
    port: 0,
  });
  admin = await storedKey("ops", "admin");
  memberA = await storedKey("team-a", "member");
  await insertJob("batch_a1", "team-a", 1_000);
  await insertJob("batch_b1", "team-b", 2_000);
  await providerJobIn("pj_packing", "cheap", "packing");
  await providerJobIn("pj_running", "cheap", "running");
  await providerJobIn("pj_ingesting", "cheap", "ingesting");
  await providerJobIn("pj_done", "cheap", "done");
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("dashboard: projects", () => {
  it("shows an admin every project's jobs with their project, and one project with ?project=", async () => {
    const all = await get("/v1/dashboard/jobs", admin);
    expect(all.status).toBe(200);
    expect(all.body.viewer).toEqual({ project_id: "ops", all_projects: true });
    expect(all.body.data.map((j: { id: string; project_id: string }) => [j.id, j.project_id])).toEqual([
      ["batch_b1", "team-b"],
      ["batch_a1", "team-a"],
    ]);
    const b = await get("/v1/dashboard/jobs?project=team-b", admin);
    expect(b.body.data.map((j: { id: string }) => j.id)).toEqual(["batch_b1"]);
    expect(b.body.total).toBe(1);
    expect((await get("/v1/dashboard/jobs?project=nobody", admin)).body.data).toEqual([]);
    const detail = await get("/v1/dashboard/jobs/batch_a1", admin);
    expect(detail.body.project_id).toBe("team-a");
  });

  it("shows a member its own project only, and refuses another project by name", async () => {
    const own = await get("/v1/dashboard/jobs", memberA);
    expect(own.body.viewer).toEqual({ project_id: "team-a", all_projects: false });
    expect(own.body.data.map((j: { id: string }) => j.id)).toEqual(["batch_a1"]);
    expect(own.body.total).toBe(1);
    expect((await get("/v1/dashboard/jobs?project=team-a", memberA)).body.data).toHaveLength(1);
    const other = await get("/v1/dashboard/jobs?project=team-b", memberA);
    expect(other.status).toBe(403);
    expect(other.body.error).toMatchObject({ code: "permission_denied", param: "project" });
  });
});

describe("dashboard: batch route slots", () => {
  it("counts the provider jobs holding a slot (not ingesting, not ended) against maxJobsInFlight", async () => {
    const routes = await get("/v1/dashboard/routes", admin);
    expect(routes.status).toBe(200);
    const byName = new Map(routes.body.data.map((r: { name: string }) => [r.name, r]));
    expect((byName.get("online") as { batch: unknown }).batch).toBeNull();
    expect((byName.get("cheap") as { batch: unknown }).batch).toEqual({
      max_jobs_in_flight: 3,
      in_use: 2,
      by_state: { packing: 1, uploading: 0, submitting: 0, running: 1, ingesting: 1 },
    });
  });

  it("gives a member key the configured slots but not the figures summed over every project", async () => {
    const routes = await get("/v1/dashboard/routes", memberA);
    const cheap = routes.body.data.find((r: { name: string }) => r.name === "cheap");
    expect(cheap.batch).toEqual({ max_jobs_in_flight: 3, in_use: null, by_state: null });
  });
});
