import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.js";

const write = (obj: unknown) => {
  const p = join(mkdtempSync(join(tmpdir(), "docket-cfg-")), "docket.config.json");
  writeFileSync(p, typeof obj === "string" ? obj : JSON.stringify(obj));
  return p;
};

describe("loadConfig", () => {
  it("needs no file: --backend routes every model to one server", () => {
    const c = loadConfig({ backendUrl: "http://127.0.0.1:9/v1", port: 0 });
    expect(c.routes).toEqual([
      expect.objectContaining({ name: "default", models: ["*"], concurrency: 16, maxAttempts: 12 }),
    ]);
    expect(c.server.port).toBe(0);
    expect(c.server.maxUploadBytes).toBe(200 * 1024 * 1024);
  });

  it("fills route defaults and reads keys from the environment", () => {
    process.env.DOCKET_TEST_KEY = "sk-test";
    const c = loadConfig({
      configPath: write({
        worker: { leaseMs: 1000 },
        routes: [
          {
            name: "gpt",
            models: ["gpt-4o*"],
            backend: { type: "openai", baseUrl: "https://api.openai.com/v1", apiKey: "env:DOCKET_TEST_KEY" },
            concurrency: 4,
          },
        ],
      }),
    });
    expect(c.worker.leaseMs).toBe(1000);
    expect(c.worker.claimBatch).toBe(64);
    expect(c.routes[0]).toMatchObject({ concurrency: 4, timeoutMs: 600_000, backend: { apiKey: "sk-test" } });
  });

  it.each([
    ["{bad json", /Cannot read the config file/],
    [{ routes: [{ name: "x", models: ["*"] }] }, /routes\[0\]\.backend is required/],
    [
      { routes: [{ name: "x", models: ["*"], backend: { type: "openai", baseUrl: "nope" } }] },
      /baseUrl must be an http/,
    ],
    [
      {
        routes: [
          {
            name: "x",
            models: ["*"],
            backend: { type: "openai", baseUrl: "http://a", apiKey: "env:NOPE_NOT_SET" },
          },
        ],
      },
      /NOPE_NOT_SET, which is not set/,
    ],
    [
      {
        routes: [
          { name: "x", models: ["*"], backend: { type: "openai", baseUrl: "http://a" }, concurrency: 0 },
        ],
      },
      /concurrency must be a positive integer/,
    ],
    [
      { routes: [{ name: "x", models: [], backend: { type: "openai", baseUrl: "http://a" } }] },
      /models must list/,
    ],
  ])("reports a bad config with the field that is wrong (%#)", (content, message) => {
    expect(() => loadConfig({ configPath: write(content) })).toThrow(message);
  });
});
