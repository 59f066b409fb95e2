import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signatures, in the scheme Stripe made familiar:
 *   Docket-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * The timestamp is signed with the body, so a captured request cannot be replayed later than
 * the receiver's tolerance. docs/async-and-events.md shows how a receiver verifies it.
 */
export const SIGNATURE_HEADER = "docket-signature";

export function signatureHeader(secret: string, body: string, timestampSec: number): string {
  return `t=${timestampSec},v1=${hmac(secret, timestampSec, body)}`;
}

/** True if one of the header's v1 signatures matches and its timestamp is within tolerance. */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  options: { toleranceSec?: number; nowSec?: number } = {},
): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t") timestamp = Number(value);
    else if (key === "v1" && value) signatures.push(value);
  }
  if (timestamp === undefined || !Number.isInteger(timestamp)) return false;
  const now = options.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), "hex");
  return signatures.some((s) => {
    const given = Buffer.from(s, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function hmac(secret: string, timestampSec: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestampSec}.${body}`).digest("hex");
}
