import { describe, expect, it } from "vitest";
import { checkWebhookTarget, isForbiddenAddress } from "./target-guard.js";

describe("webhook target guard", () => {
  it("forbids loopback, private, link-local and other internal ranges", () => {
    for (const ip of [
      "127.0.0.1",
      "127.9.9.9",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "::ffff:8.8.8.8",
    ]) {
      expect(isForbiddenAddress(ip), ip).toBe(true);
    }
    for (const ip of ["8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700::1111"]) {
      expect(isForbiddenAddress(ip), ip).toBe(false);
    }
  });

  it("lets the operator allow everything, or listed addresses and ranges", () => {
    expect(isForbiddenAddress("127.0.0.1", true)).toBe(false);
    expect(isForbiddenAddress("127.0.0.1", ["127.0.0.1"])).toBe(false);
    expect(isForbiddenAddress("127.0.0.2", ["127.0.0.1"])).toBe(true);
    expect(isForbiddenAddress("10.20.30.40", ["10.0.0.0/8"])).toBe(false);
    expect(isForbiddenAddress("192.168.0.1", ["10.0.0.0/8"])).toBe(true);
  });

  it("checks URLs, resolving names and refusing every forbidden address", async () => {
    await expect(checkWebhookTarget("http://127.0.0.1:9/h", false)).rejects.toMatchObject({
      code: "webhook_target_forbidden",
      httpStatus: 400,
    });
    await expect(checkWebhookTarget("http://[::1]:9/h", false)).rejects.toMatchObject({
      code: "webhook_target_forbidden",
    });
    // `localhost` resolves (hosts file) to loopback only
    await expect(checkWebhookTarget("http://localhost:9/h", false)).rejects.toMatchObject({
      code: "webhook_target_forbidden",
    });
    await expect(checkWebhookTarget("ftp://example.com/h", false)).rejects.toMatchObject({
      code: "invalid_webhook_url",
    });
    await expect(checkWebhookTarget("not a url", false)).rejects.toMatchObject({
      code: "invalid_webhook_url",
    });
    await expect(checkWebhookTarget("http://127.0.0.1:9/h", ["127.0.0.1"])).resolves.toBeUndefined();
    await expect(checkWebhookTarget("http://8.8.8.8/h", false)).resolves.toBeUndefined();
  });
});
