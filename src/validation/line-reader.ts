import { isUtf8 } from "node:buffer";
import { SpanningLine } from "./spanning-line.js";
import { firstInvalidUtf8 } from "./utf8.js";

/**
 * The one line reader for batch input files of every size (a 200-byte file and a 10 GB one
 * follow the same rules):
 * - lines end at a "\n" byte; one "\r" before it is dropped (CRLF); a lone "\r" is not a break;
 * - a UTF-8 byte order mark at the very start of the file is skipped (OpenAI accepts it);
 * - each line must be valid UTF-8, else it is reported with the offset of its first bad byte;
 * - a line longer than `maxLineBytes` is not buffered: the rest of it is discarded up to the
 *   next "\n" and it is reported, so memory per line stays bounded whatever the input.
 *
 * Complete lines inside one chunk are checked and decoded together (one `isUtf8` and one
 * `toString` per chunk, then a string split), which keeps small files fast; only a line that
 * spans chunks is gathered from parts. With `bytesAbove`, such a line longer than that many
 * bytes is handed over as its bytes instead of being decoded (same checks, same rules), so a
 * reader that can work on bytes never holds a huge line twice.
 */
export type InputLine =
  | { line: number; text: string }
  /** Only with `bytesAbove`: a line longer than that, as its (valid UTF-8) bytes. */
  | { line: number; bytes: Buffer }
  | { line: number; problem: { code: "invalid_utf8" | "line_too_long"; message: string } };

const NL = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export async function* readInputLines(
  source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>,
  maxLineBytes: number,
  options: { bytesAbove?: number } = {},
): AsyncGenerator<InputLine[]> {
  let line = 0;
  // Lines are handed over a chunk at a time: one await per chunk, not per line.
  let out: InputLine[] = [];
  // The line that started in an earlier chunk and goes on (its bytes > 0 while one does).
  const spanning = new SpanningLine(maxLineBytes, options.bytesAbove);
  let lineStart = 0; // file offset where the current line starts
  const problems = new LineProblems(maxLineBytes);

  const endSpanning = (): InputLine => {
    const end = spanning.finish();
    if (end.kind === "text") return { line, text: end.text };
    if (end.kind === "bytes") return { line, bytes: end.bytes };
    if (end.kind === "too_long") return problems.tooLong(line, end.bytes);
    return problems.invalidUtf8(line, end.at, end.byte, lineStart);
  };

  for await (const { chunk, offset: chunkOffset } of chunksWithoutBom(source)) {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NL, pos);
      if (nl === -1) {
        // The line goes on in the next chunk.
        if (spanning.bytes === 0) lineStart = chunkOffset + pos;
        spanning.append(chunk.subarray(pos));
        break;
      }
      if (spanning.bytes > 0) {
        // The end of a line that started in an earlier chunk.
        line++;
        spanning.append(chunk.subarray(pos, nl));
        out.push(endSpanning());
        pos = nl + 1;
        lineStart = chunkOffset + pos;
        continue;
      }
      // Whole lines from pos up to the chunk's last "\n": checked and decoded in one go.
      const last = chunk.lastIndexOf(NL);
      const block = chunk.subarray(pos, last);
      if (isUtf8(block)) {
        for (const t of block.toString("utf8").split("\n")) {
          line++;
          const text = t.charCodeAt(t.length - 1) === CR ? t.slice(0, -1) : t;
          // A UTF-16 unit is at most 3 UTF-8 bytes: count bytes only when it could matter.
          if (text.length * 3 > maxLineBytes && Buffer.byteLength(text) > maxLineBytes) {
            out.push(problems.tooLong(line, Buffer.byteLength(text)));
          } else {
            out.push({ line, text });
          }
        }
      } else {
        // Some line in the block is bad: go line by line to name it and its offset.
        let p = 0;
        while (p <= block.length) {
          const e = block.indexOf(NL, p);
          const end = e === -1 ? block.length : e;
          line++;
          out.push(decodeOne(block.subarray(p, end), line, chunkOffset + pos + p, problems));
          p = end + 1;
        }
      }
      pos = last + 1;
      lineStart = chunkOffset + pos;
    }
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  // The last line, when the file does not end with "\n".
  if (spanning.bytes > 0) {
    line++;
    yield [endSpanning()];
  }
}

/** The two problems a line can have before its JSON is looked at. */
class LineProblems {
  constructor(readonly maxLineBytes: number) {}

  tooLong(line: number, bytes: number): InputLine {
    return {
      line,
      problem: {
        code: "line_too_long",
        message: `the line is ${bytes} bytes long; the limit is ${this.maxLineBytes} bytes (config "validation.maxLineBytes").`,
      },
    };
  }

  invalidUtf8(line: number, at: number, byte: number, lineStart: number): InputLine {
    return {
      line,
      problem: {
        code: "invalid_utf8",
        message: `the line is not valid UTF-8: bad byte 0x${byte.toString(16).padStart(2, "0")} at byte offset ${at} of the line (offset ${lineStart + at} in the file).`,
      },
    };
  }
}

/** One whole line's bytes (within a chunk), checked and decoded. */
function decodeOne(raw: Buffer, line: number, lineStart: number, problems: LineProblems): InputLine {
  const bytes = raw.length > 0 && raw[raw.length - 1] === CR ? raw.subarray(0, -1) : raw;
  if (bytes.length > problems.maxLineBytes) return problems.tooLong(line, bytes.length);
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    return problems.invalidUtf8(line, at, bytes[at]!, lineStart);
  }
  return { line, text: bytes.toString("utf8") };
}

/** The source's chunks as Buffers with their file offsets, a leading UTF-8 BOM removed. */
async function* chunksWithoutBom(
  source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>,
): AsyncGenerator<{ chunk: Buffer; offset: number }> {
  let head: Buffer | null = Buffer.alloc(0); // bytes held until 3 are seen (the BOM check)
  let offset = 0;
  for await (const piece of source) {
    let chunk =
      typeof piece === "string" ? Buffer.from(piece) : Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    if (head) {
      chunk = head.length > 0 ? Buffer.concat([head, chunk]) : chunk;
      if (chunk.length < BOM.length) {
        head = chunk;
        continue;
      }
      head = null;
      if (chunk.subarray(0, BOM.length).equals(BOM)) {
        chunk = chunk.subarray(BOM.length);
        offset = BOM.length;
      }
    }
    if (chunk.length === 0) continue;
    yield { chunk, offset };
    offset += chunk.length;
  }
  // A file shorter than a BOM: whatever it holds is content.
  if (head && head.length > 0) yield { chunk: head, offset: 0 };
}
