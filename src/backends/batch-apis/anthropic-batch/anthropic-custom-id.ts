import { createHash } from "node:crypto";
import { decimalIdAt } from "../batch-http/decimal-id.js";

/**
 * Anthropic's Message Batches carry no metadata, so the custom_ids do: each is
 * `<tag>-<record id>`, where the tag is 16 hex digits of SHA-256 of the Docket provider-job id
 * (the token). Records are encoded before the token is known to the encoder, with a placeholder
 * tag of the same length, and `submit` stamps the real one in: the byte count packing measured
 * stays exact. Custom ids must match `^[a-zA-Z0-9_-]{1,64}$`; 16 + 1 + 15 digits fit.
 */
export const TAG_LENGTH = 16;
const PLACEHOLDER = "x".repeat(TAG_LENGTH);
const LINE_START = '{"custom_id":"';

export function tagOf(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, TAG_LENGTH);
}

/** The custom_id an encoded record carries until `stampTag` gives it its provider job's tag. */
export function placeholderKey(recordId: number): string {
  return `${PLACEHOLDER}-${recordId}`;
}

/** The encoded request with its placeholder replaced by `tag` (same length, so the same bytes count). */
export function stampTag(encoded: string, tag: string): string {
  if (!encoded.startsWith(LINE_START + PLACEHOLDER)) {
    throw new Error(`An anthropic-batch request was not encoded by this client: ${encoded.slice(0, 60)}…`);
  }
  return LINE_START + tag + encoded.slice(LINE_START.length + TAG_LENGTH);
}

/** The tag and record id behind a custom_id Docket made; null for one it did not. */
export function parseWireKey(customId: string): { tag: string; recordId: number } | null {
  // `<16 lowercase hex digits>-<1 to 15 digits>`, read in place (one per result at ingest).
  if (customId.charCodeAt(TAG_LENGTH) !== 45 /* - */) return null;
  for (let i = 0; i < TAG_LENGTH; i++) {
    const c = customId.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return null;
  }
  const recordId = decimalIdAt(customId, TAG_LENGTH + 1);
  return recordId === null ? null : { tag: customId.slice(0, TAG_LENGTH), recordId };
}
