import type { FinishedRecord } from "../domain/record.js";
import type { Store } from "../store/store.js";

/**
 * Bytes gathered before they are handed on in one piece: a stream of one small write per record
 * would cost a syscall (or a blob part) each.
 */
export class ByteChunks {
  private pending: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly flushAt: number) {}

  add(chunk: Buffer | string): void {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.pending.push(b);
    this.bytes += b.length;
  }

  /** Whether enough is gathered to hand on. */
  get full(): boolean {
    return this.bytes >= this.flushAt;
  }

  get empty(): boolean {
    return this.bytes === 0;
  }

  take(): Buffer {
    const out = Buffer.concat(this.pending);
    this.pending = [];
    this.bytes = 0;
    return out;
  }
}

/**
 * A record's request body (read with `bodies: true`) as it is stored: its text in one piece, or a
 * body stored in parts (large bodies on SQLite) one part at a time, so it is never whole in memory.
 */
export async function* recordBody(
  store: Pick<Store, "capabilities">,
  r: FinishedRecord,
): AsyncGenerator<Buffer | string> {
  const body = r.input;
  if (!body) throw new Error(`record ${r.id} was read without its body`);
  if ("text" in body) {
    yield body.text;
    return;
  }
  for (let part = 0; part < body.parts; part++) {
    const bytes = await store.capabilities.largeBodies?.readBodyPart(r.id, part);
    if (!bytes) throw new Error(`part ${part} of record ${r.id}'s body is missing`);
    yield bytes;
  }
}

/**
 * One line around a record's body into `out`: `head`, the body (`body` when given, else as stored,
 * part by part, handing on what fills `out` meanwhile) and `tail`. The caller hands on the rest.
 */
export async function* addBodyLine(
  out: ByteChunks,
  store: Pick<Store, "capabilities">,
  r: FinishedRecord,
  [head, tail]: readonly [string, string],
  body: string | null = null,
): AsyncGenerator<Buffer> {
  out.add(head);
  if (body !== null) out.add(body);
  else {
    for await (const chunk of recordBody(store, r)) {
      out.add(chunk);
      if (out.full) yield out.take();
    }
  }
  out.add(tail);
}
