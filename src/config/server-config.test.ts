import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.js";

const write = (obj: unknown) => {
  const p = join(mkdtempSync(join(tmpdir(), "docket-cfg-")), "docket.config.json");
  writeFileSync(p, JSON.stringify(obj));
  return p;
};
const load = (server: Record<string, unknown>) => loadConfig({ configPath: write({ server }) });

describe("server config", () => {
  afterEach(() => {
    delete process.env.DOCKET_TEST_SERVER_KEY;
  });

  it("has bounded defaults for sizes, times and connections", () => {
    expect(loadConfig().server).toMatchObject({
      apiKey: null,
      maxUploadBytes: 200 * 1024 * 1024,
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 3_600_000,
      idleTimeoutMs: 60_000,
      maxConnections: 512,
    });
  });

  it("resolves server.apiKey 'env:NAME' from the environment, like route keys", () => {
    process.env.DOCKET_TEST_SERVER_KEY = "sk-from-env";
    expect(load({ apiKey: "env:DOCKET_TEST_SERVER_KEY" }).server.apiKey).toBe("sk-from-env");
    expect(load({ apiKey: "sk-literal" }).server.apiKey).toBe("sk-literal");
  });

  it.each([
    [{ apiKey: "" }, /server\.apiKey is empty/],
    [{ apiKey: "   " }, /server\.apiKey is empty/],
    [
      { apiKey: "env:DOCKET_TEST_SERVER_KEY" },
      /server\.apiKey names the environment variable DOCKET_TEST_SERVER_KEY, which is not set/,
    ],
    [{ apiKey: "env:" }, /server\.apiKey is "env:" without a variable name/],
    [{ apiKey: 42 }, /server\.apiKey must be a string or null/],
    [{ apiKey: "sk with space" }, /printable ASCII without spaces/],
    [{ idleTimeoutMs: 0 }, /server\.idleTimeoutMs must be a positive integer/],
    [{ maxConnections: 1.5 }, /server\.maxConnections must be a positive integer/],
    [{ requestTimeoutMs: "1h" }, /server\.requestTimeoutMs must be a positive integer/],
    [{ headersTimeoutMs: 10_000, requestTimeoutMs: 5_000 }, /must not exceed server\.requestTimeoutMs/],
  ])("refuses %j at load with a message naming the field", (server, message) => {
    expect(() => load(server)).toThrow(message);
  });

  it("refuses an env: key whose variable is set but empty, for the server and for routes alike", () => {
    process.env.DOCKET_TEST_SERVER_KEY = "";
    expect(() => load({ apiKey: "env:DOCKET_TEST_SERVER_KEY" })).toThrow(
      /server\.apiKey names the environment variable DOCKET_TEST_SERVER_KEY, which is empty/,
    );
    const route = {
      name: "r",
      models: ["*"],
      backend: { type: "openai", baseUrl: "http://a", apiKey: "env:DOCKET_TEST_SERVER_KEY" },
    };
    expect(() => loadConfig({ configPath: write({ routes: [route] }) })).toThrow(
      /routes\[0\]\.backend\.apiKey names the environment variable DOCKET_TEST_SERVER_KEY, which is empty/,
    );
  });
});
