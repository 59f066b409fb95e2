import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { lookup } from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { DocketError } from "../../domain/errors.js";

/**
 * No SSRF through webhooks: a target that is (or resolves to) a loopback, private, link-local,
 * carrier-grade NAT, multicast or reserved address is refused unless the operator allows it
 * (`webhooks.allowPrivateTargets`: true, or a list of addresses and CIDR ranges). Every address
 * a name resolves to is checked, at submission and again when connecting (DNS may change in
 * between), and redirects are never followed.
 */
// One list per family: a BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules too,
// which would make the `::ffff:0:0/96` rule below forbid every IPv4 address.
const FORBIDDEN_V4 = new BlockList();
const FORBIDDEN_V6 = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  FORBIDDEN_V4.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  // IPv4-mapped and NAT64 addresses could hide any IPv4 address: refuse them all.
  ["::ffff:0:0", 96],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  FORBIDDEN_V6.addSubnet(net, prefix, "ipv6");
}

export type AllowPrivate = boolean | readonly string[];

export function isForbiddenAddress(address: string, allow: AllowPrivate = false): boolean {
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  if (!(family === "ipv6" ? FORBIDDEN_V6 : FORBIDDEN_V4).check(address, family)) return false;
  if (allow === true) return false;
  if (allow === false) return true;
  return !allowList(allow).check(address, family);
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
  return new DocketError(
    "webhook_target_forbidden",
    `The webhook target '${host}'${via} is a loopback, private or link-local address. Docket does not send webhooks into its own network unless webhooks.allowPrivateTargets allows it.`,
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
