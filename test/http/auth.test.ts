import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { FormData, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { httpAgent } from "../../src/http-client/http-agent.js";
import { batchLines, startTestApi, type TestApi } from "./helpers.js";

/** `server.apiKey`: resolved like every secret, checked before routing, compared in constant time. */
describe("API key", () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
    delete process.env.DOCKET_TEST_API_KEY;
  });

  const call = async (method: string, p: string, auth?: string) => {
    const res = await request(api!.url + p, {
      method: method as "GET",
      headers: auth === undefined ? {} : { authorization: auth },
    });
    return {
      status: res.statusCode,
      json: (await res.body.json()) as { error: { code: string; type: string } },
    };
  };

  it("reads 'env:NAME' from the environment and the official SDK authenticates with it", async () => {
    process.env.DOCKET_TEST_API_KEY = "sk-docket-env-key";
    const p = join(mkdtempSync(join(tmpdir(), "docket-auth-")), "docket.config.json");
    writeFileSync(p, JSON.stringify({ server: { apiKey: "env:DOCKET_TEST_API_KEY" } }));
    api = await startTestApi(loadConfig({ configPath: p }).server);
    // The literal text "env:…" is not the key.
    expect((await call("GET", "/v1/files", "Bearer env:DOCKET_TEST_API_KEY")).status).toBe(401);
    const good = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: "sk-docket-env-key", maxRetries: 0 });
    const file = await good.files.create({
      file: new File([batchLines(1)], "in.jsonl"),
      purpose: "batch",
    });
    expect((await good.files.retrieve(file.id)).id).toBe(file.id);
    const bad = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: "sk-wrong", maxRetries: 0 });
    await expect(bad.files.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("checks the key before matching paths: unknown paths and wrong methods answer 401 without it", async () => {
    api = await startTestApi({ apiKey: "sk-secret" });
    for (const [method, p] of [
      ["GET", "/v1/nothing-here"],
      ["GET", "/admin"],
      ["PUT", "/v1/batches"],
      ["GET", "/v1/files/file-x"],
    ] as const) {
      const none = await call(method, p);
      expect(none.status).toBe(401);
      expect(none.json.error).toMatchObject({ code: "missing_api_key", type: "authentication_error" });
      expect((await call(method, p, "Bearer sk-wrong")).json.error.code).toBe("invalid_api_key");
    }
    // With the key, the same requests reach the path table.
    expect((await call("GET", "/v1/nothing-here", "Bearer sk-secret")).status).toBe(404);
    expect((await call("PUT", "/v1/batches", "Bearer sk-secret")).status).toBe(405);
    expect((await call("GET", "/v1/files/file-x", "Bearer sk-secret")).status).toBe(404);
    expect((await call("GET", "/health")).status).toBe(200);
  });

  it("refuses keys of every length but the right one, and an empty bearer token", async () => {
    api = await startTestApi({ apiKey: "sk-secret" });
    for (const auth of [
      "Bearer ",
      "Bearer",
      "Bearer s",
      "Bearer sk-secre",
      "Bearer sk-secret0",
      `Bearer ${"x".repeat(4096)}`,
      "sk-secret",
    ]) {
      expect((await call("GET", "/v1/files", auth)).status, auth.slice(0, 20)).toBe(401);
    }
    expect((await call("GET", "/v1/files", "bearer   sk-secret  ")).status).toBe(200);
  });

  it("refuses the body of an unauthenticated upload without storing it", async () => {
    api = await startTestApi({ apiKey: "sk-secret" });
    const form = new FormData();
    form.append("purpose", "batch");
    form.append("file", new Blob([batchLines(2)]), "in.jsonl");
    const res = await request(`${api.url}/v1/files`, { method: "POST", body: form, dispatcher: httpAgent });
    expect(res.statusCode).toBe(401);
    await res.body.dump();
    expect(api.blobFiles()).toEqual([]);
  });
});
