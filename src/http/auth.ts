import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { DocketError } from "../domain/errors.js";

/**
 * Checks `Authorization: Bearer <key>` when an API key is configured. The comparison is
 * constant-time so the key cannot be guessed byte by byte from response timings.
 */
export function checkApiKey(req: IncomingMessage, apiKey: string | null): void {
  if (apiKey === null) return;
  const header = req.headers.authorization;
  if (!header) {
    throw new DocketError(
      "missing_api_key",
      "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
      401,
    );
  }
  const match = /^Bearer\s+(.+)$/i.exec(header);
  const given = Buffer.from(match ? match[1]!.trim() : "");
  const expected = Buffer.from(apiKey);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DocketError("invalid_api_key", "Incorrect API key provided.", 401);
  }
}
