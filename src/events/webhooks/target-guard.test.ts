import { describe, expect, it } from "vitest";
import { embeddedIpv4, ipv6Groups } from "./ipv6-forms.js";
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

  it("refuses every IPv4-embedded IPv6 spelling of a refused IPv4 address", () => {
    const forms: Array<[string, string]> = [
      // IPv4-compatible ::a.b.c.d (deprecated)
      ["::127.0.0.1", "compatible, dotted"],
      ["::7f00:1", "compatible, hex"],
      ["0:0:0:0:0:0:7f00:0001", "compatible, uncompressed"],
      ["::10.0.0.1", "compatible, private"],
      ["::8.8.8.8", "compatible, even public (deprecated form)"],
      // IPv4-mapped ::ffff:a.b.c.d
      ["::ffff:127.0.0.1", "mapped, dotted"],
      ["::ffff:7f00:1", "mapped, hex"],
      ["::FFFF:7F00:0001", "mapped, upper case"],
      ["0:0:0:0:0:ffff:169.254.169.254", "mapped metadata address"],
      // IPv4-translated (SIIT) ::ffff:0:a.b.c.d
      ["::ffff:0:7f00:1", "SIIT, hex"],
      ["::ffff:0:127.0.0.1", "SIIT, dotted"],
      ["::ffff:0:a9fe:a9fe", "SIIT metadata address"],
      // NAT64 well-known and local-use prefixes
      ["64:ff9b::127.0.0.1", "NAT64, dotted"],
      ["64:ff9b::7f00:1", "NAT64, hex"],
      ["64:ff9b::a00:1", "NAT64, private"],
      ["64:ff9b:1::7f00:1", "NAT64 local-use"],
      ["64:ff9b:1:abcd::1", "NAT64 local-use, any layout"],
      // 6to4 of refused IPv4 addresses
      ["2002:7f00:1::", "6to4 of 127.0.0.1"],
      ["2002:7f00:0001::1", "6to4 of 127.0.0.1, leading zeros"],
      ["2002:a00:1::1", "6to4 of 10.0.0.1"],
      ["2002:c0a8:101:1::1", "6to4 of 192.168.1.1"],
      ["2002:a9fe:a9fe::", "6to4 of 169.254.169.254"],
      // Teredo: client IPv4 inverted in the last 32 bits, or a refused server
      ["2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo client 127.0.0.1"],
      ["2001::4136:e378:8000:63bf:f5ff:fffe", "Teredo client 10.0.0.1"],
      ["2001:0:a00:1:8000:63bf:3fff:fdd2", "Teredo server 10.0.0.1"],
      // the usual IPv6 ranges
      ["::", "unspecified"],
      ["::1", "loopback"],
      ["0:0:0:0:0:0:0:1", "loopback, uncompressed"],
      ["fe80::1", "link-local"],
      ["fe80::1%eth0", "link-local with a zone"],
      ["febf:ffff::1", "link-local, top of range"],
      ["fec0::1", "site-local"],
      ["fc00::1", "ULA"],
      ["fd12:3456:789a::1", "ULA"],
      ["ff02::1", "multicast"],
      ["100::1", "discard-only"],
      ["2001:db8::1", "documentation"],
    ];
    for (const [ip, why] of forms) expect(isForbiddenAddress(ip), `${ip} (${why})`).toBe(true);
    for (const ip of [
      "2606:4700::1111", // Cloudflare DNS
      "2a00:1450:4001:82a::200e", // a public address
      "2002:808:808::1", // 6to4 of 8.8.8.8
      "2001:0:4136:e378:8000:63bf:3fff:fdd2", // RFC 4380's Teredo example: client 192.0.2.45
      "64:ff9c::7f00:1", // next to NAT64, not in it
      "2003::7f00:1", // next to 6to4
      "2001:1::7f00:1", // next to Teredo
    ]) {
      expect(isForbiddenAddress(ip), ip).toBe(false);
    }
    expect(isForbiddenAddress("not-an-address"), "fails closed").toBe(true);
  });

  it("finds the IPv4 address each form embeds", () => {
    const found = (ip: string) => embeddedIpv4(ipv6Groups(ip)!);
    expect(ipv6Groups("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(ipv6Groups("1:2:3:4:5:6:7:8:9")).toBeNull();
    expect(ipv6Groups("127.0.0.1")).toBeNull();
    expect(found("2002:c0a8:101::")).toEqual([{ form: "6to4 2002::/16", ipv4: "192.168.1.1" }]);
    expect(found("2001:0:4136:e378:8000:63bf:3fff:fdd2")).toEqual([
      { form: "Teredo 2001::/32 (client)", ipv4: "192.0.2.45" },
      { form: "Teredo 2001::/32 (server)", ipv4: "65.54.227.120" },
    ]);
    expect(found("::ffff:0:7f00:1")[0]?.ipv4).toBe("127.0.0.1");
    expect(found("64:ff9b::a9fe:a9fe")[0]?.ipv4).toBe("169.254.169.254");
    expect(found("2606:4700::1111")).toEqual([]);
  });

  it("lets an allow-list entry for the embedded IPv4 address through", () => {
    expect(isForbiddenAddress("2002:a00:1::1", ["10.0.0.0/8"])).toBe(false);
    expect(isForbiddenAddress("2002:a00:1::1", ["2002::/16"])).toBe(false);
    expect(isForbiddenAddress("2002:c0a8:101::1", ["10.0.0.0/8"])).toBe(true);
  });

  it("refuses embedded forms in URLs, naming the IPv4 address they hide", async () => {
    for (const host of ["[::127.0.0.1]", "[::ffff:0:7f00:1]", "[64:ff9b:1::a00:1]", "[2002:7f00:1::1]"]) {
      await expect(checkWebhookTarget(`http://${host}:9/h`, false), host).rejects.toMatchObject({
        code: "webhook_target_forbidden",
      });
    }
    await expect(checkWebhookTarget("http://[2002:7f00:1::1]/h", false)).rejects.toThrow(
      /embedding IPv4 127\.0\.0\.1 \(6to4 2002::\/16\)/,
    );
    await expect(checkWebhookTarget("http://[2606:4700::1111]/h", false)).resolves.toBeUndefined();
  });
});
