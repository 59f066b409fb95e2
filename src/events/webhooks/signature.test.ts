import { describe, expect, it } from "vitest";
import { signatureHeader, verifySignature } from "./signature.js";

describe("webhook signatures", () => {
  const body = '{"type":"batch.completed"}';

  it("signs timestamp.body with HMAC-SHA256 and verifies it", () => {
    const header = signatureHeader("s3cret", body, 1_700_000_000);
    // computed independently: printf '1700000000.<body>' | openssl dgst -sha256 -hmac s3cret
    expect(header).toBe("t=1700000000,v1=419ba26e7540add6b296b1d7cd31b4915cbbc7eff1174aa05adbfdb9fcff9f49");
    expect(verifySignature("s3cret", header, body, { nowSec: 1_700_000_010 })).toBe(true);
  });

  it("refuses another secret, a changed body, a stale timestamp or a missing header", () => {
    const header = signatureHeader("s3cret", body, 1_700_000_000);
    expect(verifySignature("other", header, body, { nowSec: 1_700_000_000 })).toBe(false);
    expect(verifySignature("s3cret", header, `${body} `, { nowSec: 1_700_000_000 })).toBe(false);
    expect(verifySignature("s3cret", header, body, { nowSec: 1_700_000_301 })).toBe(false);
    expect(verifySignature("s3cret", undefined, body)).toBe(false);
    expect(verifySignature("s3cret", "v1=abc", body)).toBe(false);
  });

  it("accepts any of several v1 signatures (secret rotation)", () => {
    const good = signatureHeader("new", body, 1_700_000_000).split(",")[1];
    const header = `t=1700000000,v1=${"0".repeat(64)},${good}`;
    expect(verifySignature("new", header, body, { nowSec: 1_700_000_000 })).toBe(true);
  });
});
