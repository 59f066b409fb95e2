import { describe, expect, it } from "vitest";
import { defaultConfig, type ServerConfig } from "../config/config.js";
import type { KeyStore } from "../store/key-store.js";
import { isLoopbackHost, refuseExposedOpenServer } from "./open-server-guard.js";

describe("isLoopbackHost", () => {
  it("accepts only addresses this machine alone can reach", () => {
    for (const h of [
      "127.0.0.1",
      "127.1.2.3",
      "localhost",
      "LOCALHOST",
      "::1",
      "[::1]",
      "::ffff:127.0.0.1",
    ]) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of [
      "0.0.0.0",
      "::",
      "10.0.0.5",
      "192.168.1.1",
      "128.0.0.1",
      "127.0.0",
      "127.0.0.256",
      "example.com",
      "localhost.evil.com",
      "::ffff:10.0.0.1",
      "",
    ]) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });
});

describe("refuseExposedOpenServer", () => {
  const keys = (has: boolean) => ({ hasApiKeys: async () => has }) as unknown as KeyStore;
  const server = (tune: Partial<ServerConfig>): ServerConfig => ({ ...defaultConfig().server, ...tune });

  it("refuses a keyless server on a non-loopback address, naming the way out", async () => {
    await expect(refuseExposedOpenServer(server({ host: "0.0.0.0" }), keys(false))).rejects.toThrow(
      /Refusing to listen on 0\.0\.0\.0 without authentication.*--insecure-no-auth/,
    );
  });

  it("allows loopback, a shared key, a stored key, or an explicit --insecure-no-auth", async () => {
    await refuseExposedOpenServer(server({}), keys(false));
    await refuseExposedOpenServer(server({ host: "0.0.0.0", apiKey: "k" }), keys(false));
    await refuseExposedOpenServer(server({ host: "0.0.0.0" }), keys(true));
    await refuseExposedOpenServer(server({ host: "::", insecureNoAuth: true }), keys(false));
  });
});
