import { createReadStream } from "node:fs";

/** A top-level string longer than this cannot be the "model" key or a model name worth sending. */
const MAX_TOKEN_BYTES = 4096;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * The top-level `"model"` of a JSON request body file, read as a stream so a body of gigabytes
 * costs no memory: only the object's own keys and short string values are decoded; nested
 * values are skipped by counting brackets (outside strings). Stops at the first `"model"`
 * whose value is a string. Null when the file is not a JSON object or names no model.
 */
export async function modelFromBodyFile(path: string): Promise<string | null> {
  const scanner = new TopLevelModelScanner();
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const found = scanner.push(chunk);
      if (found !== undefined) return found;
    }
    return null;
  } finally {
    stream.destroy();
  }
}

/**
 * A byte-level state machine over UTF-8 JSON. Multi-byte UTF-8 sequences never contain ASCII
 * bytes, so quotes, backslashes and brackets can be recognised byte by byte.
 */
export class TopLevelModelScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Bytes of the current depth-1 string (a key or a value), null when not collecting. */
  private token: number[] | null = null;
  private tokenTooLong = false;
  /** The last depth-1 key read, and whether its ':' has been seen. */
  private key: string | null = null;
  private afterColon = false;
  private started = false;

  /** Feeds bytes; returns the model when found, null when the body cannot name one, else undefined. */
  push(bytes: Uint8Array): string | null | undefined {
    for (const b of bytes) {
      if (this.inString) {
        if (this.token && !this.tokenTooLong) {
          if (this.token.length >= MAX_TOKEN_BYTES) this.tokenTooLong = true;
          else this.token.push(b);
        }
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) {
          this.inString = false;
          const result = this.endString();
          if (result !== undefined) return result;
        }
        continue;
      }
      if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
      if (!this.started) {
        this.started = true;
        // A BOM's bytes (EF BB BF) are not JSON: skip them; anything else must open an object.
        if (b === 0xef || b === 0xbb || b === 0xbf) {
          this.started = false;
          continue;
        }
        if (b !== 0x7b) return null;
        this.depth = 1;
        continue;
      }
      if (b === QUOTE) {
        this.inString = true;
        this.token = this.depth === 1 ? [QUOTE] : null;
        this.tokenTooLong = false;
        continue;
      }
      if (b === 0x7b || b === 0x5b) this.depth++;
      else if (b === 0x7d || b === 0x5d) {
        this.depth--;
        if (this.depth === 0) return null;
      } else if (this.depth === 1 && b === COLON) this.afterColon = true;
      else if (this.depth === 1 && b === COMMA) {
        this.key = null;
        this.afterColon = false;
      }
    }
    return undefined;
  }

  private endString(): string | null | undefined {
    const token = this.token;
    this.token = null;
    if (token === null || this.tokenTooLong) {
      if (this.depth === 1 && !this.afterColon) this.key = null;
      return undefined;
    }
    let text: unknown;
    try {
      text = JSON.parse(Buffer.from(token).toString("utf8"));
    } catch {
      return null;
    }
    if (!this.afterColon) {
      this.key = String(text);
      return undefined;
    }
    if (this.key === "model" && typeof text === "string" && text !== "") return text;
    return undefined;
  }
}
