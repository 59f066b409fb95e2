import { open } from "node:fs/promises";
import {
  alignUp,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  GgufValueType,
  tensorByteSize,
} from "./gguf-format.js";

/** A metadata value with its GGUF type made explicit (JS numbers alone cannot say u32 from f32). */
export type GgufValue =
  | { type: "u32"; value: number }
  | { type: "i32"; value: number }
  | { type: "f32"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "string[]"; value: readonly string[] }
  | { type: "f32[]"; value: readonly number[] }
  | { type: "i32[]"; value: readonly number[] };

export interface GgufTensorSpec {
  name: string;
  /** ggml order: dims[0] is the innermost (contiguous) dimension. */
  dims: readonly number[];
  type: number;
  /** Produces the tensor's bytes in chunks, so a large model never sits in memory whole. */
  data: () => AsyncIterable<Buffer> | Iterable<Buffer>;
}

/**
 * Writes a GGUF v3 file: header, metadata, tensor infos, then each tensor's data padded to the
 * alignment. Only the header is built in memory; tensor data streams to disk chunk by chunk.
 */
export async function writeGguf(
  path: string,
  metadata: ReadonlyArray<[string, GgufValue]>,
  tensors: readonly GgufTensorSpec[],
): Promise<void> {
  const alignment = GGUF_DEFAULT_ALIGNMENT;
  const sizes = tensors.map((t) => {
    const size = tensorByteSize(t.type, t.dims);
    if (size === null || !Number.isInteger(size)) {
      throw new Error(
        `tensor ${t.name}: type ${t.type} with dims [${t.dims.join(", ")}] has no whole byte size`,
      );
    }
    return size;
  });

  const header = new ByteSink();
  header.u32(GGUF_MAGIC);
  header.u32(GGUF_VERSION);
  header.u64(tensors.length);
  header.u64(metadata.length + 1);
  header.string("general.alignment");
  header.u32(GgufValueType.UINT32);
  header.u32(alignment);
  for (const [key, value] of metadata) {
    header.string(key);
    writeValue(header, value);
  }
  let offset = 0;
  tensors.forEach((t, i) => {
    header.string(t.name);
    header.u32(t.dims.length);
    for (const d of t.dims) header.u64(d);
    header.u32(t.type);
    header.u64(offset);
    offset = alignUp(offset + sizes[i]!, alignment);
  });
  const headerBytes = header.toBuffer();
  const dataStart = alignUp(headerBytes.length, alignment);

  const file = await open(path, "w");
  try {
    let position = 0;
    const write = async (buf: Buffer) => {
      await file.write(buf, 0, buf.length, position);
      position += buf.length;
    };
    await write(headerBytes);
    await write(Buffer.alloc(dataStart - headerBytes.length));
    for (const [i, t] of tensors.entries()) {
      const start = position;
      for await (const chunk of t.data()) await write(chunk);
      if (position - start !== sizes[i]) {
        throw new Error(`tensor ${t.name}: wrote ${position - start} bytes, expected ${sizes[i]}`);
      }
      await write(Buffer.alloc(alignUp(position - dataStart, alignment) - (position - dataStart)));
    }
  } finally {
    await file.close();
  }
}

function writeValue(sink: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case "u32":
      sink.u32(GgufValueType.UINT32);
      sink.u32(v.value);
      return;
    case "i32":
      sink.u32(GgufValueType.INT32);
      sink.i32(v.value);
      return;
    case "f32":
      sink.u32(GgufValueType.FLOAT32);
      sink.f32(v.value);
      return;
    case "bool":
      sink.u32(GgufValueType.BOOL);
      sink.u8(v.value ? 1 : 0);
      return;
    case "string":
      sink.u32(GgufValueType.STRING);
      sink.string(v.value);
      return;
    case "string[]":
      sink.u32(GgufValueType.ARRAY);
      sink.u32(GgufValueType.STRING);
      sink.u64(v.value.length);
      for (const s of v.value) sink.string(s);
      return;
    case "f32[]":
      sink.u32(GgufValueType.ARRAY);
      sink.u32(GgufValueType.FLOAT32);
      sink.u64(v.value.length);
      for (const n of v.value) sink.f32(n);
      return;
    case "i32[]":
      sink.u32(GgufValueType.ARRAY);
      sink.u32(GgufValueType.INT32);
      sink.u64(v.value.length);
      for (const n of v.value) sink.i32(n);
      return;
  }
}

/** A growable little-endian byte buffer for the header. */
class ByteSink {
  private buf = Buffer.alloc(4096);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(n: number): void {
    this.reserve(1);
    this.len = this.buf.writeUInt8(n, this.len);
  }
  u32(n: number): void {
    this.reserve(4);
    this.len = this.buf.writeUInt32LE(n, this.len);
  }
  i32(n: number): void {
    this.reserve(4);
    this.len = this.buf.writeInt32LE(n, this.len);
  }
  f32(n: number): void {
    this.reserve(4);
    this.len = this.buf.writeFloatLE(n, this.len);
  }
  u64(n: number): void {
    this.reserve(8);
    this.len = this.buf.writeBigUInt64LE(BigInt(n), this.len);
  }
  string(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.reserve(bytes.length);
    bytes.copy(this.buf, this.len);
    this.len += bytes.length;
  }
  toBuffer(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}
