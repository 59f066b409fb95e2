import { isUtf8 } from "node:buffer";
import { firstInvalidUtf8 } from "./utf8.js";

const CR = 0x0d;

/** ES2024's resizable ArrayBuffer (Node 20+), which the TypeScript lib in use does not describe yet. */
interface ResizableArrayBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => ResizableArrayBuffer;

/**
 * Gives back the pages of a line handed over as bytes (`kind: "bytes"`), at once instead of at
 * the next garbage collection: call it when nothing reads the line (or any view of it) anymore.
 * A huge line's pages would otherwise stay resident into whatever runs next (the worker sending
 * that very body from the store). A Buffer not from a SpanningLine is left alone.
 */
export function releaseLineBytes(bytes: Buffer): void {
  const buffer = bytes.buffer as ArrayBuffer & { resizable?: boolean; resize?: (n: number) => void };
  if (buffer.resizable && buffer.byteLength > 0) buffer.resize!(0);
}

/** How a line gathered across chunks ended. */
export type SpanningLineEnd =
  | { kind: "text"; text: string }
  | { kind: "bytes"; bytes: Buffer }
  | { kind: "too_long"; bytes: number }
  | { kind: "invalid_utf8"; at: number; byte: number };

/**
 * A line that spans chunks of the input. Its bytes are gathered in one resizable ArrayBuffer:
 * V8 reserves `maxLineBytes` of address space once and commits pages as the line grows, so a
 * line costs its own size while read (no list of chunks plus a joined copy), and shrinking the
 * buffer after the line gives the pages back at once. A line longer than `bytesAbove` is not
 * decoded at all: its buffer is handed over as it is (no copy, no string), and a new one is
 * started for the next line, so a 100 MB line costs its 100 MB of bytes and nothing more. Past
 * `maxLineBytes` it only counts.
 */
export class SpanningLine {
  /** Bytes of the line so far, a final CR included. */
  bytes = 0;
  private buffer: ResizableArrayBuffer | null = null;
  private lastCr = false;

  constructor(
    private readonly maxLineBytes: number,
    /** Lines longer than this end as their bytes, not as text (Infinity: always text). */
    private readonly bytesAbove = Number.POSITIVE_INFINITY,
  ) {}

  append(part: Buffer): void {
    if (part.length === 0) return;
    const at = this.bytes;
    this.bytes += part.length;
    this.lastCr = part[part.length - 1] === CR;
    // +1: a CR that the line's "\n" strips does not count against the limit.
    if (this.bytes > this.maxLineBytes + 1) {
      this.release();
      return;
    }
    this.buffer ??= new ResizableArrayBuffer(0, { maxByteLength: this.maxLineBytes + 1 });
    this.buffer.resize(this.bytes);
    new Uint8Array(this.buffer, at, part.length).set(part);
  }

  /** Ends the line (its "\n" seen, or the end of the file) and starts a new one. */
  finish(): SpanningLineEnd {
    const length = this.bytes - (this.lastCr ? 1 : 0);
    this.bytes = 0;
    this.lastCr = false;
    if (length > this.maxLineBytes) {
      this.release();
      return { kind: "too_long", bytes: length };
    }
    try {
      const view = Buffer.from(this.buffer!, 0, length);
      if (!isUtf8(view)) {
        const at = firstInvalidUtf8(view);
        return { kind: "invalid_utf8", at, byte: view[at]! };
      }
      if (length > this.bytesAbove) {
        // Handed over: the line's reader owns these pages now (freed when it drops them).
        this.buffer = null;
        return { kind: "bytes", bytes: view };
      }
      return { kind: "text", text: view.toString("utf8") };
    } catch {
      // Past what a JavaScript string can hold (about 512 MiB): too long to check at all.
      return { kind: "too_long", bytes: length };
    } finally {
      this.release();
    }
  }

  /** Gives the line's pages back (a huge line must not stay resident after it is read). */
  private release(): void {
    if (this.buffer && this.buffer.byteLength > 0) this.buffer.resize(0);
  }
}
