import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type ApiKeyRole, apiKeyIdOf, apiKeyMatches, type StoredApiKey } from "../domain/api-key.js";
import { DocketError } from "../domain/errors.js";
import type { KeyStore } from "../store/key-store.js";

/** Who is calling: a project and what its key may do there. */
export interface Principal {
  projectId: string;
  role: ApiKeyRole;
  /** The key's public id (safe to log); null for the shared config key or an open server. */
  keyId: string | null;
  /** Admins see and act on every project's work; everyone else only their own project's. */
  allProjects: boolean;
}

/** The project of work made without keys (an open server, the shared config key). */
export const DEFAULT_PROJECT = "default";

/**
 * How long a key looked up in the store is trusted without asking again. Revocation must reach
 * every API process within 1 s (docs/security.md): 500 ms of cache plus one lookup fits, on any
 * engine, with no notification channel to lose.
 */
export const KEY_CACHE_MS = 500;

/** Cached keys at most: a flood of random key ids cannot grow memory without bound. */
const MAX_CACHED = 10_000;

interface Cached {
  key: StoredApiKey | undefined;
  until: number;
}

/**
 * Resolves a request's credential (`Authorization: Bearer` or `x-api-key`) to a Principal:
 * a project key from the store (only its hash is kept there), or the shared `server.apiKey` of
 * the config (an admin of every project, as before projects existed). With neither configured
 * nor any key made, the server is open and every caller is the default project's admin — the
 * embedded Quick start; `docket serve` refuses that on a non-loopback address.
 */
export class KeyAuthenticator {
  private readonly cache = new Map<string, Cached>();
  private anyKeys: { value: boolean; until: number } | null = null;

  constructor(
    private readonly store: KeyStore,
    private readonly sharedKey: string | null,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(req: IncomingMessage): Promise<Principal> {
    const given = presentedKey(req);
    // An open server ignores whatever credential comes (SDKs always send one).
    if (this.sharedKey === null && !(await this.hasKeys())) return openPrincipal();
    if (given === null) {
      throw new DocketError(
        "missing_api_key",
        "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' (or 'x-api-key: <key>').",
        401,
      );
    }
    const keyId = apiKeyIdOf(given);
    if (keyId !== null) {
      const stored = await this.lookup(keyId);
      if (stored && apiKeyMatches(given, stored)) {
        if (stored.revokedAt !== null && stored.revokedAt <= this.now()) {
          throw new DocketError("invalid_api_key", `API key ${keyId} has been revoked.`, 401);
        }
        return {
          projectId: stored.projectId,
          role: stored.role,
          keyId: stored.id,
          allProjects: stored.role === "admin",
        };
      }
    } else if (this.sharedKey !== null && sameSecret(given, this.sharedKey)) {
      return { projectId: DEFAULT_PROJECT, role: "admin", keyId: null, allProjects: true };
    }
    // Never echo what was sent: a mistyped key is still someone's secret.
    throw new DocketError("invalid_api_key", "Incorrect API key provided.", 401);
  }

  private async lookup(keyId: string): Promise<StoredApiKey | undefined> {
    const t = this.now();
    const hit = this.cache.get(keyId);
    if (hit && hit.until > t) return hit.key;
    const key = await this.store.findApiKey(keyId);
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(keyId, { key, until: t + KEY_CACHE_MS });
    return key;
  }

  private async hasKeys(): Promise<boolean> {
    const t = this.now();
    if (this.anyKeys && this.anyKeys.until > t) return this.anyKeys.value;
    const value = await this.store.hasApiKeys();
    this.anyKeys = { value, until: t + KEY_CACHE_MS };
    return value;
  }
}

function openPrincipal(): Principal {
  return { projectId: DEFAULT_PROJECT, role: "admin", keyId: null, allProjects: true };
}

/** The key a request carries, or null; Bearer wins when both headers come. */
function presentedKey(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const key = match ? match[1]!.trim() : "";
    return key === "" ? "" : key;
  }
  const x = req.headers["x-api-key"];
  return typeof x === "string" ? x.trim() : null;
}

/** Both hashed to 32 bytes: the time taken depends on neither secret's bytes nor its length. */
function sameSecret(a: string, b: string): boolean {
  const digest = (t: string) => createHash("sha256").update(t, "utf8").digest();
  return a !== "" && timingSafeEqual(digest(a), digest(b));
}
