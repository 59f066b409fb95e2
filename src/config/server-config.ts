import { DocketError } from "../domain/errors.js";
import type { ServerConfig } from "./config.js";
import { resolveSecretRef } from "./secret-ref.js";

const POSITIVE_INTEGERS = [
  "port",
  "maxUploadBytes",
  "headersTimeoutMs",
  "requestTimeoutMs",
  "idleTimeoutMs",
  "maxConnections",
  "maxCompletionWindowMs",
] as const;

/**
 * Checks the `server` section once its file values and CLI overrides are in, and resolves
 * `apiKey` (`env:NAME` like every other secret). An empty key is refused: it would either turn
 * auth off by accident or accept an empty bearer token, and neither is what anyone meant.
 */
export function checkServerConfig(server: ServerConfig): void {
  for (const key of POSITIVE_INTEGERS) {
    const value = server[key];
    // Port 0 asks the OS for a free port (tests, `--port 0`).
    const min = key === "port" ? 0 : 1;
    if (!Number.isInteger(value) || value < min) {
      throw invalid(
        `server.${key} must be a ${min === 0 ? "non-negative" : "positive"} integer (got ${JSON.stringify(value)}).`,
      );
    }
  }
  if (server.headersTimeoutMs > server.requestTimeoutMs) {
    throw invalid(
      `server.headersTimeoutMs (${server.headersTimeoutMs}) must not exceed server.requestTimeoutMs (${server.requestTimeoutMs}).`,
    );
  }
  server.apiKey = checkApiKey(server.apiKey);
  if (typeof server.insecureNoAuth !== "boolean") {
    throw invalid(
      `server.insecureNoAuth must be true or false (got ${JSON.stringify(server.insecureNoAuth)}).`,
    );
  }
}

function checkApiKey(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== "string") {
    throw invalid(`server.apiKey must be a string or null (got ${JSON.stringify(raw)}).`);
  }
  if (raw.trim() === "") {
    throw invalid(
      'server.apiKey is empty. Set a key (or "env:NAME" to read it from the environment), or remove it to run without auth.',
    );
  }
  const key = resolveSecretRef(raw, "server.apiKey");
  // Clients send the key in an `Authorization: Bearer` header, whose token is trimmed and
  // cannot hold control characters: a key with those could never match.
  if (!/^[\x21-\x7e]+$/.test(key)) {
    throw invalid(
      "server.apiKey must be printable ASCII without spaces (it is sent as 'Authorization: Bearer <key>').",
    );
  }
  return key;
}

function invalid(message: string): DocketError {
  return new DocketError("invalid_config", message);
}
