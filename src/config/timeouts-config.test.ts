import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.js";

const write = (obj: unknown) => {
  const p = join(mkdtempSync(join(tmpdir(), "docket-cfg-")), "docket.config.json");
  writeFileSync(p, JSON.stringify(obj));
  return p;
};
const route = { name: "r", models: ["*"], backend: { type: "openai", baseUrl: "http://127.0.0.1:9/v1" } };

describe("timeout settings in docket.config.json", () => {
  it("has bounded defaults for PostgreSQL and the temp-file sweep", () => {
    const c = loadConfig();
    expect(c).toMatchObject({
      databaseConnectTimeoutMs: 10_000,
      databaseStatementTimeoutMs: 60_000,
      databaseIdleInTransactionTimeoutMs: 60_000,
      retention: { tempFileGraceMs: 3_600_000, tempSweepMs: 600_000 },
    });
  });

  it("reads every setting, where 0 turns a PostgreSQL limit off", () => {
    const c = loadConfig({
      configPath: write({
        databaseConnectTimeoutMs: 2000,
        databaseStatementTimeoutMs: 0,
        databaseIdleInTransactionTimeoutMs: 5000,
        retention: { tempFileGraceMs: 600_000, tempSweepMs: 60_000 },
        blobs: {
          type: "s3",
          bucket: "b",
          connectTimeoutMs: 1000,
          requestTimeoutMs: 2000,
          idleTimeoutMs: 3000,
          maxAttempts: 5,
        },
        routes: [{ ...route, headersTimeoutMs: 30_000, bodyTimeoutMs: 10_000 }],
      }),
    });
    expect(c).toMatchObject({
      databaseConnectTimeoutMs: 2000,
      databaseStatementTimeoutMs: 0,
      databaseIdleInTransactionTimeoutMs: 5000,
      retention: { outputFileMs: 30 * 86_400_000, tempFileGraceMs: 600_000, tempSweepMs: 60_000 },
      blobs: { connectTimeoutMs: 1000, requestTimeoutMs: 2000, idleTimeoutMs: 3000, maxAttempts: 5 },
    });
    expect(c.routes[0]).toMatchObject({ headersTimeoutMs: 30_000, bodyTimeoutMs: 10_000 });
  });

  it.each([
    [{ databaseStatementTimeoutMs: -1 }, /databaseStatementTimeoutMs must be a whole number of milliseconds/],
    [{ databaseConnectTimeoutMs: "10s" }, /databaseConnectTimeoutMs .*got "10s"/],
    [{ databaseIdleInTransactionTimeoutMs: 2 ** 31 }, /databaseIdleInTransactionTimeoutMs/],
    [{ retention: { tempFileGraceMs: 0 } }, /retention.tempFileGraceMs must be .* from 1/],
    [{ retention: { tempSweepMs: 1.5 } }, /retention.tempSweepMs/],
    [{ blobs: { type: "s3", bucket: "b", requestTimeoutMs: 0 } }, /blobs.requestTimeoutMs/],
    [
      { blobs: { type: "s3", bucket: "b", maxAttempts: 0 } },
      /blobs.maxAttempts must be a whole number from 1 to 20/,
    ],
    [{ routes: [{ ...route, bodyTimeoutMs: 0 }] }, /routes\[0\].bodyTimeoutMs must be a positive integer/],
    [{ routes: [{ ...route, headersTimeoutMs: "1m" }] }, /routes\[0\].headersTimeoutMs/],
  ])("refuses %j, naming the field", (file, message) => {
    expect(() => loadConfig({ configPath: write(file) })).toThrow(message);
  });
});
