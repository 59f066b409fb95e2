import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";

/**
 * Writes a JSONL file next to its final name and renames it into place on commit, so a
 * crashed or interrupted run never leaves a half-written batch file under the real name.
 * Lines are grouped into ~64 KiB writes and the stream's backpressure is honoured.
 */
export class JsonlFileWriter {
  private buffer = "";
  lines = 0;

  private constructor(
    private readonly stream: WriteStream,
    private readonly tmpPath: string,
    readonly path: string,
  ) {}

  static async create(path: string): Promise<JsonlFileWriter> {
    const tmpPath = `${path}.tmp-${process.pid}`;
    const stream = createWriteStream(tmpPath);
    await once(stream, "open");
    return new JsonlFileWriter(stream, tmpPath, path);
  }

  async write(value: object): Promise<void> {
    this.buffer += `${JSON.stringify(value)}\n`;
    this.lines++;
    if (this.buffer.length >= 64 * 1024) await this.flush();
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

  private async flush(): Promise<void> {
    if (this.buffer === "") return;
    const ok = this.stream.write(this.buffer);
    this.buffer = "";
    if (!ok) await once(this.stream, "drain");
  }
}
