import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";

/**
 * Where an export goes: a file (written beside its name and renamed into place) or stdout. Text
 * formats write text; Parquet writes bytes.
 */
export interface ExportSink {
  write(text: string): Promise<void>;
  writeBytes(bytes: Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Groups writes into ~64 KiB chunks and honours backpressure. */
export async function fileSink(path: string): Promise<ExportSink> {
  const tmp = `${path}.tmp-${process.pid}`;
  const stream = createWriteStream(tmp);
  await once(stream, "open");
  return buffered(stream, {
    async commit(failure) {
      stream.end();
      await once(stream, "close");
      const failed = failure();
      if (failed) {
        await rm(tmp, { force: true });
        throw failed;
      }
      await rename(tmp, path);
    },
    async abort() {
      stream.destroy();
      await rm(tmp, { force: true });
    },
  });
}

export function stdoutSink(out: NodeJS.WritableStream = process.stdout): ExportSink {
  return buffered(out, {
    async commit(failure) {
      const failed = failure();
      if (failed) throw failed;
    },
    async abort() {},
  });
}

function buffered(
  stream: NodeJS.WritableStream,
  end: { commit(failure: () => Error | null): Promise<void>; abort(): Promise<void> },
): ExportSink {
  let buffer = "";
  // A failed write (disk full, a closed pipe) is reported by the next write or the commit, never
  // as an uncaught error event; after an abort, writes still in flight fail quietly.
  let failure: Error | null = null;
  stream.on("error", (e: Error) => {
    failure ??= e;
  });
  const send = async (chunk: string | Uint8Array) => {
    if (failure) throw failure;
    if (!stream.write(chunk)) await once(stream, "drain");
  };
  const flush = async () => {
    if (buffer === "") return;
    const text = buffer;
    buffer = "";
    await send(text);
  };
  return {
    async write(text) {
      buffer += text;
      if (buffer.length >= 64 * 1024) await flush();
    },
    async writeBytes(bytes) {
      await flush();
      await send(bytes);
    },
    async commit() {
      await flush();
      await end.commit(() => failure);
    },
    abort: end.abort,
  };
}
