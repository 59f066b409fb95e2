import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { DocketError } from "../domain/errors.js";

/**
 * Checks `Authorization: Bearer <key>` when an API key is configured. Both keys are hashed to
 * 32 bytes and compared with `timingSafeEqual`, so the time taken depends on neither the key's
 * bytes nor its length: nothing can be guessed from response timings.
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
  const given = match ? match[1]!.trim() : "";
  if (!timingSafeEqual(digest(given), digest(apiKey)) || given === "") {
    throw new DocketError("invalid_api_key", "Incorrect API key provided.", 401);
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
