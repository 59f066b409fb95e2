import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { generateApiKey } from "../../src/domain/api-key.js";
import { startEmbedded } from "../../src/runtime/embedded.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { spawnDocket } from "../support/child-docket.js";

/**
 * Safe defaults (docs/security.md): an open server (no shared key, no stored key) only on
 * loopback; on any other address it refuses to start unless told --insecure-no-auth.
 */
describe("binding beyond loopback without keys", () => {
  const root = mkdtempSync(join(tmpdir(), "docket-bind-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const dataDir = () => join(root, `d${n++}`);

  it("`docket serve --host 0.0.0.0` refuses with a clear message and exit 1; --insecure-no-auth starts", async () => {
    const refused = await spawnDocket(["serve", "--host", "0.0.0.0", "--port", "0", "-d", dataDir()], {
      waitForUrl: false,
    });
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain("Refusing to listen on 0.0.0.0 without authentication");
    expect(refused.output()).toContain("--insecure-no-auth");
    expect(refused.output()).not.toContain("listening on");

    const allowed = await spawnDocket([
      "serve",
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "-d",
      dataDir(),
      "--insecure-no-auth",
    ]);
    try {
      expect(allowed.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      const port = new URL(allowed.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/v1/files`)).status).toBe(200);
    } finally {
      allowed.proc.kill("SIGTERM");
      await allowed.exited;
    }
  }, 60_000);

  it("starts on a non-loopback address once a key exists, with server.apiKey, or server.insecureNoAuth", async () => {
    const withKey = dataDir();
    const store = openSqliteStore({ path: join(withKey, "docket.db") });
    const { id, hash } = generateApiKey();
    await store.createApiKey({
      id,
      projectId: "ops",
      role: "admin",
      label: null,
      hash,
      createdAt: 1,
      revokedAt: null,
    });
    await store.close();

    const configFile = join(root, "insecure.json");
    writeFileSync(configFile, JSON.stringify({ server: { host: "0.0.0.0", port: 0, insecureNoAuth: true } }));
    const variants = [
      { ...defaultConfig(), dataDir: withKey },
      { ...defaultConfig(), dataDir: dataDir(), server: { ...defaultConfig().server, apiKey: "sk-shared" } },
      loadConfig({ configPath: configFile, dataDir: dataDir() }),
    ];
    for (const config of variants) {
      config.server.host = "0.0.0.0";
      config.server.port = 0;
      const docket = await startEmbedded(config);
      await docket.close({ graceMs: 0 });
    }

    const open = { ...defaultConfig(), dataDir: dataDir() };
    open.server = { ...open.server, host: "0.0.0.0", port: 0 };
    await expect(startEmbedded(open)).rejects.toMatchObject({ code: "insecure_no_auth" });
    // The Quick start: loopback, no key, starts.
    const loopback = { ...defaultConfig(), dataDir: dataDir() };
    loopback.server = { ...loopback.server, port: 0 };
    const docket = await startEmbedded(loopback);
    await docket.close({ graceMs: 0 });
  }, 60_000);

  it("refuses a config whose server.insecureNoAuth is not a boolean", () => {
    const configFile = join(root, "bad.json");
    writeFileSync(configFile, JSON.stringify({ server: { insecureNoAuth: "yes" } }));
    expect(() => loadConfig({ configPath: configFile })).toThrow(
      /server\.insecureNoAuth must be true or false/,
    );
  });
});
