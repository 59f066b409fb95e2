import type { Readable } from "node:stream";

/**
 * Where payloads live: uploaded input files, output and error files, large invocation bodies.
 * Everything is streamed; nothing is held whole in memory.
 */
export interface BlobStore {
  /**
   * Streams `source` into `key`. If more than `maxBytes` arrive, the partial blob is removed
   * and a BlobTooLargeError is thrown. Resolves with the byte count once durable.
   */
  put(
    key: string,
    source: Readable | AsyncIterable<Uint8Array | string>,
    options?: { maxBytes?: number },
  ): Promise<{ bytes: number }>;
  /**
   * The whole blob at once, for small blobs only (a caller that knows the size): one read
   * instead of a stream's several round trips. Optional; callers fall back to `get`.
   */
  readSmall?(key: string): Promise<Buffer>;
  /** A stream of the blob's bytes; rejects with a not-found DocketError if missing. */
  get(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
  /**
   * Deletes leftovers of writes that never finished (temp files) last touched before `cutoff`
   * (epoch ms; Infinity: all, for a process that knows it is the only writer). Returns how many.
   * Optional: stores whose unfinished writes leave nothing visible (S3) have none.
   */
  sweepOrphans?(cutoff: number): Promise<number>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`payload exceeds the limit of ${maxBytes} bytes`);
    this.name = "BlobTooLargeError";
  }
}

/** Counts the bytes of a blob being written, chunk by chunk: past `maxBytes` (none: no limit), a BlobTooLargeError. */
export class BlobByteCount {
  bytes = 0;
  private readonly max: number;

  constructor(maxBytes: number | undefined) {
    this.max = maxBytes ?? Number.POSITIVE_INFINITY;
  }

  /** The chunk as bytes, counted. */
  add(chunk: Uint8Array | string): Uint8Array {
    const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.bytes += data.byteLength;
    if (this.bytes > this.max) throw new BlobTooLargeError(this.max);
    return data;
  }
}
