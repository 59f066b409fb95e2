import type { ServerConfig } from "../config/config.js";
import { DocketError } from "../domain/errors.js";
import type { KeyStore } from "../store/key-store.js";

/**
 * True for addresses only this machine can reach: `localhost`, 127.0.0.0/8, ::1 (and its
 * IPv4-mapped form of 127/8). Everything else — 0.0.0.0, ::, a LAN address, any other host
 * name — may be reachable from elsewhere, so it counts as exposed.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice("::ffff:".length) : h;
  const parts = v4.split(".");
  return (
    parts.length === 4 && parts[0] === "127" && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
  );
}

/**
 * Refuses to serve an open API (no shared key, no stored key) on an address others can reach,
 * unless told `--insecure-no-auth`: an open Docket lets anyone read every file and spend the
 * backends' money. Loopback stays open so the Quick start needs no key (docs/security.md).
 */
export async function refuseExposedOpenServer(server: ServerConfig, keys: KeyStore): Promise<void> {
  if (server.insecureNoAuth || server.apiKey !== null || isLoopbackHost(server.host)) return;
  if (await keys.hasApiKeys()) return;
  throw new DocketError(
    "insecure_no_auth",
    `Refusing to listen on ${server.host} without authentication: anyone who can reach it could read every file and run any model. ` +
      "Create a key first (`docket keys create --project P --role admin`), set server.apiKey, bind to 127.0.0.1, " +
      "or pass --insecure-no-auth (server.insecureNoAuth) if the network itself is trusted.",
  );
}
