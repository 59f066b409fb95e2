import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { lookup } from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { DocketError } from "../../domain/errors.js";
import { embeddedIpv4, ipv6Groups } from "./ipv6-forms.js";

/**
 * No SSRF through webhooks: a target that is (or resolves to) a loopback, private, link-local,
 * carrier-grade NAT, multicast or reserved address is refused unless the operator allows it
 * (`webhooks.allowPrivateTargets`: true, or a list of addresses and CIDR ranges). Every address
 * a name resolves to is checked, at submission and again when connecting (DNS may change in
 * between), and redirects are never followed. An IPv6 address that embeds an IPv4 address
 * (6to4, Teredo, …; see ipv6-forms.ts) is judged by the IPv4 address it hides too.
 */
// One list per family: a BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules too,
// which would make the `::ffff:0:0/96` rule below forbid every IPv4 address.
const FORBIDDEN_V4 = new BlockList();
const FORBIDDEN_V6 = new BlockList();
/** IPv4 ranges refused (docs list them: keep in step). */
export const FORBIDDEN_V4_RANGES = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const;
/** IPv6 ranges refused whatever they carry (docs list them: keep in step). */
export const FORBIDDEN_V6_RANGES = [
  // IPv4-compatible (deprecated), which includes :: (unspecified) and ::1 (loopback).
  ["::", 96],
  // IPv4-mapped, IPv4-translated (SIIT) and NAT64 addresses could hide any IPv4 address, and
  // nothing public is reached through them from a webhook sender: refuse them all.
  ["::ffff:0:0", 96],
  ["::ffff:0:0:0", 96],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64], // discard-only
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local (ULA)
  ["fec0::", 10], // site-local (deprecated)
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const;
for (const [net, prefix] of FORBIDDEN_V4_RANGES) FORBIDDEN_V4.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of FORBIDDEN_V6_RANGES) FORBIDDEN_V6.addSubnet(net, prefix, "ipv6");

export type AllowPrivate = boolean | readonly string[];

/**
 * Whether a webhook may not be sent to `address` (an IPv4 or IPv6 address). Something that is
 * not an address is refused (fail closed). An IPv6 address is refused when it lies in a refused
 * IPv6 range or embeds a refused IPv4 address (6to4, Teredo client or server); an allow-list
 * entry matching the address itself or the IPv4 address it embeds lets it through.
 */
export function isForbiddenAddress(address: string, allow: AllowPrivate = false): boolean {
  const family = isIP(address);
  let embedded: string[] = [];
  let forbidden: boolean;
  if (family === 4) forbidden = FORBIDDEN_V4.check(address, "ipv4");
  else if (family === 6 || address.includes("%")) {
    const groups = ipv6Groups(address);
    if (groups === null) return true;
    embedded = embeddedIpv4(groups).map((e) => e.ipv4);
    const canonical = groups.map((g) => g.toString(16)).join(":");
    forbidden =
      FORBIDDEN_V6.check(canonical, "ipv6") || embedded.some((v4) => FORBIDDEN_V4.check(v4, "ipv4"));
    address = canonical;
  } else return true;
  if (!forbidden || allow === true) return false;
  if (allow === false) return true;
  const list = allowList(allow);
  const allowed =
    list.check(address, family === 4 ? "ipv4" : "ipv6") || embedded.some((v4) => list.check(v4, "ipv4"));
  return !allowed;
}

const allowLists = new WeakMap<readonly string[], BlockList>();

function allowList(entries: readonly string[]): BlockList {
  let list = allowLists.get(entries);
  if (!list) {
    list = new BlockList();
    for (const entry of entries) {
      const [address, bits] = entry.split("/");
      const family = isIP(address ?? "") === 6 ? "ipv6" : "ipv4";
      if (!isIP(address ?? "")) continue;
      if (bits === undefined) list.addAddress(address!, family);
      else list.addSubnet(address!, Number(bits), family);
    }
    allowLists.set(entries, list);
  }
  return list;
}

/**
 * Checks a webhook URL before it is accepted or called: http(s), resolvable, and no address in a
 * forbidden range. Throws a DocketError (400) whose code says which.
 */
export async function checkWebhookTarget(
  url: string,
  allow: AllowPrivate,
  param = "webhook_url",
): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DocketError(
      "invalid_webhook_url",
      `'${url}' is not a URL; expected e.g. https://example.com/hooks/docket.`,
      400,
      param,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new DocketError(
      "invalid_webhook_url",
      `Webhook URLs must start with http:// or https://; got '${url}'.`,
      400,
      param,
    );
  }
  if (allow === true) return;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch (err) {
      throw new DocketError(
        "webhook_target_unresolvable",
        `The webhook host '${host}' does not resolve (${(err as NodeJS.ErrnoException).code ?? "error"}).`,
        400,
        param,
      );
    }
  }
  for (const address of addresses) {
    if (isForbiddenAddress(address, allow)) throw forbidden(host, address, param);
  }
}

function forbidden(host: string, address: string, param: string | null): DocketError {
  const via = host === address ? "" : ` (it resolves to ${address})`;
  const groups = isIP(address) === 4 ? null : ipv6Groups(address);
  const hidden = (groups ? embeddedIpv4(groups) : []).map((e) => `${e.ipv4} (${e.form})`);
  const embeds = hidden.length > 0 ? `, embedding IPv4 ${hidden.join(" and ")},` : "";
  return new DocketError(
    "webhook_target_forbidden",
    `The webhook target '${host}'${via}${embeds} is a loopback, private, link-local or reserved address. Docket does not send webhooks into its own network unless webhooks.allowPrivateTargets allows it.`,
    400,
    param,
  );
}

/**
 * A `lookup` for the sockets webhooks are sent on: resolves as usual, then refuses the
 * connection if any address is forbidden, so a name re-pointed after the check gains nothing.
 */
export function guardedLookup(allow: AllowPrivate): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 0);
      const bad = addresses.find((a) => isForbiddenAddress(a.address, allow));
      if (bad) return callback(forbidden(hostname, bad.address, null), "", 0);
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        return;
      }
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}
