/**
 * Offset where the first ill-formed UTF-8 sequence starts (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF); the length if there is none.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      // The first continuation byte has the tighter range; the others are plain 80..BF. A
      // sequence cut short or broken is reported where it starts.
      if (d === undefined || (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf)) return i;
    }
    i += need + 1;
  }
  return n;
}
