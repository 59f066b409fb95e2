import { createHash } from "node:crypto";

/** Bumped if the key's recipe ever changes, so no old entry is read as a new one's. */
const KEY_VERSION = "docket-dedup-1";

/** Where a request goes: with its body, what its key is made of. */
export interface KeyScope {
  projectId: string;
  route: string;
  endpoint: string;
}

/**
 * The part of the key every request of one scope shares: the project (a cached answer is never
 * served to another project), the route (another route may be another model) and the endpoint
 * (the body's dialect), each length-prefixed so that no choice of names makes two scopes equal.
 */
export function keyPrefix(at: KeyScope): string {
  return [KEY_VERSION, at.projectId, at.route, at.endpoint].map((p) => `${p.length}:${p}\n`).join("");
}

/**
 * The key of a request for dedup and the response cache: SHA-256 (hex) of its scope's prefix
 * and the body's exact bytes — the same request byte for byte, nothing normalised.
 */
export function dedupKey(prefix: string, body: string): string {
  return createHash("sha256")
    .update(prefix + body)
    .digest("hex");
}
