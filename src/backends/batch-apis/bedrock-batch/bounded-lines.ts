/**
 * Lines of a stream, split at "\n" (one "\r" before it dropped), each at most `maxLineBytes`:
 * a longer one is an error rather than a buffer that grows without end. Empty lines are skipped.
 */
export async function* boundedLines(
  source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>,
  maxLineBytes: number,
  what: string,
): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  const finish = (tail: Buffer): string => {
    const whole = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    line++;
    const end = whole.length > 0 && whole[whole.length - 1] === 0x0d ? whole.length - 1 : whole.length;
    return whole.toString("utf8", 0, end);
  };
  for await (const raw of source) {
    const chunk =
      typeof raw === "string" ? Buffer.from(raw) : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let pos = 0;
    for (let nl = chunk.indexOf(0x0a, pos); nl !== -1; nl = chunk.indexOf(0x0a, pos)) {
      checkLength(pendingBytes + nl - pos, maxLineBytes, what, line + 1);
      const text = finish(chunk.subarray(pos, nl));
      if (text !== "") yield text;
      pos = nl + 1;
    }
    if (pos < chunk.length) {
      pendingBytes += chunk.length - pos;
      checkLength(pendingBytes, maxLineBytes, what, line + 1);
      pending.push(Buffer.from(chunk.subarray(pos)));
    }
  }
  if (pendingBytes > 0) {
    const text = finish(Buffer.alloc(0));
    if (text !== "") yield text;
  }
}

function checkLength(bytes: number, max: number, what: string, line: number): void {
  if (bytes > max) throw new Error(`Line ${line} of ${what} is longer than ${max} bytes.`);
}
