import { randomBytes } from "node:crypto";

/**
 * A multipart/form-data body streamed from the input's lines (files of hundreds of MB are never
 * held whole): the plain `fields` first (servers check `purpose` before storing any byte of the
 * file), then the file, one line per encoded record, each ended by a newline.
 */
export function multipartBody(
  fields: Record<string, string>,
  file: { name: string; contentType: string; lines: () => AsyncIterable<string> },
): { contentType: string; body: AsyncIterable<string> } {
  const boundary = `docket-${randomBytes(12).toString("hex")}`;
  async function* body(): AsyncGenerator<string> {
    for (const [name, value] of Object.entries(fields)) {
      yield `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    }
    yield `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: ${file.contentType}\r\n\r\n`;
    // Lines are grouped into ~1 MiB writes: one write per line is much slower.
    let pending = "";
    for await (const line of file.lines()) {
      pending += `${line}\n`;
      if (pending.length >= 1 << 20) {
        yield pending;
        pending = "";
      }
    }
    yield `${pending}\r\n--${boundary}--\r\n`;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: body() };
}
