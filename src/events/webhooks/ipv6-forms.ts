/**
 * IPv6 addresses that carry an IPv4 address inside them. A webhook target written as one of
 * these reaches the IPv4 host (through the kernel's dual stack, a NAT64/SIIT translator, a 6to4
 * or Teredo relay), so the guard must judge the IPv4 address it hides, whatever the spelling.
 */

/**
 * The eight 16-bit groups of an IPv6 address, or null if it is not one. The text is normalised
 * by the WHATWG URL parser (the one `fetch` and `new URL` use), which accepts every legal
 * spelling (`::`, leading zeros, dotted IPv4 tails, upper case) and writes the canonical RFC 5952
 * form; expanding that form is then mechanical. A zone id (`fe80::1%eth0`) is dropped first.
 */
export function ipv6Groups(address: string): number[] | null {
  const bare = address.split("%")[0] ?? "";
  let canonical: string;
  try {
    canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head = "", tail] = canonical.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : null;
}

/** An IPv4 address found inside an IPv6 one, and the mechanism (`form`) that put it there. */
export interface EmbeddedIpv4 {
  form: string;
  ipv4: string;
}

const dotted = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/**
 * Every IPv4 address embedded in `groups` by a standard mechanism (a Teredo address carries
 * two: its server and, obfuscated, its client). Empty for an address that embeds none.
 */
export function embeddedIpv4(groups: readonly number[]): EmbeddedIpv4[] {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  // ::a.b.c.d — IPv4-compatible (RFC 4291 §2.5.5.1, deprecated); also covers :: and ::1.
  if (zeros(0, 6)) return [{ form: "IPv4-compatible ::/96", ipv4: dotted(g6, g7) }];
  // ::ffff:a.b.c.d — IPv4-mapped (RFC 4291 §2.5.5.2).
  if (zeros(0, 5) && g5 === 0xffff) return [{ form: "IPv4-mapped ::ffff:0:0/96", ipv4: dotted(g6, g7) }];
  // ::ffff:0:a.b.c.d — IPv4-translated (SIIT, RFC 2765).
  if (zeros(0, 4) && g4 === 0xffff && g5 === 0)
    return [{ form: "IPv4-translated ::ffff:0:0:0/96", ipv4: dotted(g6, g7) }];
  if (g0 === 0x64 && g1 === 0xff9b) {
    // 64:ff9b::a.b.c.d — NAT64 well-known prefix (RFC 6052).
    if (zeros(2, 6)) return [{ form: "NAT64 64:ff9b::/96", ipv4: dotted(g6, g7) }];
    // 64:ff9b:1::/48 — NAT64 local-use (RFC 8215); the operator picks the prefix length, so the
    // position of the IPv4 address is unknown: report the /96 reading, the range is refused whole.
    if (g2 === 1) return [{ form: "NAT64 local-use 64:ff9b:1::/48", ipv4: dotted(g6, g7) }];
  }
  // 2002:AABB:CCDD::/48 — 6to4 (RFC 3056): the site's IPv4 address is bits 16–47.
  if (g0 === 0x2002) return [{ form: "6to4 2002::/16", ipv4: dotted(g1, g2) }];
  // 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC — Teredo (RFC 4380): server IPv4 in bits 32–63, the
  // client's IPv4 in the last 32 bits, every bit inverted.
  if (g0 === 0x2001 && g1 === 0) {
    return [
      { form: "Teredo 2001::/32 (client)", ipv4: dotted(g6 ^ 0xffff, g7 ^ 0xffff) },
      { form: "Teredo 2001::/32 (server)", ipv4: dotted(g2, g3) },
    ];
  }
  return [];
}
