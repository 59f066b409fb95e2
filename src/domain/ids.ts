import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * Opaque ids in the style of OpenAI's (`file-…`, `batch_…`). 22 base62 characters carry
 * ~131 bits, so collisions are not a concern and ids never reveal counts.
 */
export function newId(prefix: string, length = 22): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % 62];
  return out;
}
