import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";

/** Lines are encoded into buffers of this size and written one buffer at a time. */
const BATCH_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Writes a JSONL file next to its final name and renames it into place on commit, so a
 * crashed or interrupted run never leaves a half-written batch file under the real name.
 * Lines are encoded straight into ~1 MiB buffers (one `write()` each: per-line writes cost a
 * quarter of the throughput), and the stream's backpressure is honoured with room for a few
 * batches, so preparing the next rows overlaps with the disk write.
 */
export class JsonlFileWriter {
  private batch = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;
  lines = 0;

  private constructor(
    private readonly stream: WriteStream,
    private readonly tmpPath: string,
    readonly path: string,
  ) {}

  static async create(path: string): Promise<JsonlFileWriter> {
    const tmpPath = `${path}.tmp-${process.pid}`;
    const stream = createWriteStream(tmpPath, { highWaterMark: 4 * BATCH_BYTES });
    await once(stream, "open");
    return new JsonlFileWriter(stream, tmpPath, path);
  }

  /** Resolves when the line is buffered; returns undefined (nothing to wait for) when it was at once. */
  write(value: object): Promise<void> | undefined {
    return this.writeText(JSON.stringify(value));
  }

  /**
   * `text` and a newline. The newline is a byte put after it, not a `${text}\n` string: that
   * would be a second copy of every line (the concatenation, flattened to be encoded).
   */
  private writeText(text: string): Promise<void> | undefined {
    this.lines++;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8, so this bound never splits a line.
    if (text.length * 3 + 1 > BATCH_BYTES - this.used) {
      const flushed = this.flush();
      if (text.length * 3 + 1 > BATCH_BYTES) {
        const pushed = this.push(Buffer.from(`${text}\n`, "utf8"));
        return pushed ?? flushed;
      }
      this.used = this.batch.write(text, 0, "utf8");
      this.batch[this.used++] = NEWLINE;
      return flushed;
    }
    this.used += this.batch.write(text, this.used, "utf8");
    this.batch[this.used++] = NEWLINE;
    return undefined;
  }

  async commit(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, "close");
    await rename(this.tmpPath, this.path);
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.tmpPath, { force: true });
  }

  private flush(): Promise<void> | undefined {
    if (this.used === 0) return undefined;
    const full = this.batch.subarray(0, this.used);
    this.batch = Buffer.allocUnsafe(BATCH_BYTES);
    this.used = 0;
    return this.push(full);
  }

  private push(bytes: Buffer): Promise<void> | undefined {
    if (this.stream.write(bytes)) return undefined;
    return once(this.stream, "drain").then(() => undefined);
  }
}
