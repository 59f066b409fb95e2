import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";

/** Where an export goes: a file (written beside its name and renamed into place) or stdout. */
export interface TextSink {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Groups writes into ~64 KiB chunks and honours backpressure. */
export async function fileSink(path: string): Promise<TextSink> {
  const tmp = `${path}.tmp-${process.pid}`;
  const stream = createWriteStream(tmp);
  await once(stream, "open");
  return buffered(stream, {
    async commit() {
      stream.end();
      await once(stream, "close");
      await rename(tmp, path);
    },
    async abort() {
      stream.destroy();
      await rm(tmp, { force: true });
    },
  });
}

export function stdoutSink(out: NodeJS.WritableStream = process.stdout): TextSink {
  return buffered(out, { async commit() {}, async abort() {} });
}

function buffered(
  stream: NodeJS.WritableStream | WriteStream,
  end: { commit(): Promise<void>; abort(): Promise<void> },
): TextSink {
  let buffer = "";
  const flush = async () => {
    if (buffer === "") return;
    const ok = stream.write(buffer);
    buffer = "";
    if (!ok) await once(stream, "drain");
  };
  return {
    async write(text) {
      buffer += text;
      if (buffer.length >= 64 * 1024) await flush();
    },
    async commit() {
      await flush();
      await end.commit();
    },
    abort: end.abort,
  };
}
