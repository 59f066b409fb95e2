import { createHash, timingSafeEqual } from "node:crypto";
import { DocketError } from "./errors.js";
import { newId } from "./ids.js";

/**
 * What a key may do inside its project: `admin` everything (and, for the `admin` project's
 * keys, every project), `member` submit, read and cancel its project's work, `reader` only read.
 */
export type ApiKeyRole = "admin" | "member" | "reader";

export const API_KEY_ROLES: readonly ApiKeyRole[] = ["admin", "member", "reader"];

/** A key as the store keeps it: never the key itself, only its SHA-256. */
export interface StoredApiKey {
  /** The key's public id (`dk_…`), the first part of the key: safe to log and show. */
  id: string;
  projectId: string;
  role: ApiKeyRole;
  label: string | null;
  /** Hex SHA-256 of the whole key. */
  hash: string;
  createdAt: number;
  revokedAt: number | null;
}

/** Letters, digits, `_`, `-`, `.`: a project id is a name people type and see in URLs. */
const PROJECT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function checkProjectId(id: string): string {
  if (!PROJECT_ID.test(id)) {
    throw new DocketError(
      "invalid_project",
      `A project id is 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit (got ${JSON.stringify(id)}).`,
    );
  }
  return id;
}

export function parseApiKeyRole(value: string): ApiKeyRole {
  if ((API_KEY_ROLES as readonly string[]).includes(value)) return value as ApiKeyRole;
  throw new DocketError("invalid_role", `Unknown role '${value}'; use ${API_KEY_ROLES.join(", ")}.`);
}

/**
 * A new key: `dk_<id>.<secret>`. The id (16 base62 characters) finds the stored row; the secret
 * (32 base62 characters, ~190 bits) is what proves possession. With that much entropy a fast
 * hash is safe — nobody can guess their way to a preimage — so SHA-256 is used rather than a
 * slow password hash, which would cost milliseconds on every API call.
 */
export function generateApiKey(): { id: string; key: string; hash: string } {
  const id = newId("dk_", 16);
  // newId draws from crypto.randomBytes.
  const key = `${id}.${newId("", 32)}`;
  return { id, key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** The public id of something that looks like a Docket key, or null (then it is not one). */
export function apiKeyIdOf(key: string): string | null {
  const dot = key.indexOf(".");
  if (!key.startsWith("dk_") || dot < 4 || dot !== key.lastIndexOf(".")) return null;
  return key.slice(0, dot);
}

/** Constant-time check of a presented key against a stored hash. */
export function apiKeyMatches(key: string, stored: Pick<StoredApiKey, "hash">): boolean {
  const given = Buffer.from(hashApiKey(key), "hex");
  const expected = Buffer.from(stored.hash, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
