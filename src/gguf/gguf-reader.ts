import { open } from "node:fs/promises";
import { alignUp, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgufValueType, tensorByteSize } from "./gguf-format.js";

export type GgufMetaValue = number | bigint | boolean | string | GgufMetaValue[];

export interface GgufTensorInfo {
  name: string;
  /** ggml order: dims[0] is the innermost dimension. */
  dims: number[];
  type: number;
  /** Relative to `dataOffset`. */
  offset: number;
}

export interface GgufFile {
  version: number;
  metadata: Map<string, GgufMetaValue>;
  tensors: GgufTensorInfo[];
  /** Absolute file offset where tensor data begins. */
  dataOffset: number;
  fileSize: number;
}

/** A file that is not a readable GGUF: the message says what and where. */
export class GgufFormatError extends Error {
  override name = "GgufFormatError";
}

/** Limits that a real model never reaches, so a corrupt count fails fast instead of allocating GBs. */
const MAX_COUNT = 50_000_000;
const MAX_STRING = 64 * 1024 * 1024;
const MAX_DIMS = 4;
const READ_CHUNK = 1 << 20;

/**
 * Reads a GGUF's header, metadata and tensor table (not the tensor data), checking every length
 * against the file's size, so a truncated or foreign file is reported instead of crashing the
 * native loader.
 */
export async function readGguf(path: string): Promise<GgufFile> {
  const file = await open(path, "r");
  try {
    const fileSize = (await file.stat()).size;
    const r = new ChunkedReader(
      fileSize,
      async (buf, pos) => (await file.read(buf, 0, buf.length, pos)).bytesRead,
    );
    if (fileSize < 24) throw new GgufFormatError(`is ${fileSize} bytes, too short to be a GGUF file`);
    const magic = await r.u32();
    if (magic !== GGUF_MAGIC) throw new GgufFormatError("is not a GGUF file (wrong magic bytes)");
    const version = await r.u32();
    if (version !== 2 && version !== 3) throw new GgufFormatError(`has unsupported GGUF version ${version}`);
    const tensorCount = await r.count("tensor count");
    const kvCount = await r.count("metadata count");

    const metadata = new Map<string, GgufMetaValue>();
    for (let i = 0; i < kvCount; i++) {
      const key = await r.string();
      const type = await r.u32();
      metadata.set(key, await readValue(r, type, key));
    }

    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await r.string();
      const nDims = await r.u32();
      if (nDims < 1 || nDims > MAX_DIMS)
        throw new GgufFormatError(`tensor '${name}' has ${nDims} dimensions`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(await r.u64Number(`tensor '${name}' dimension`));
      const type = await r.u32();
      const offset = await r.u64Number(`tensor '${name}' offset`);
      tensors.push({ name, dims, type, offset });
    }

    const alignmentValue = metadata.get("general.alignment");
    const alignment =
      typeof alignmentValue === "number" && alignmentValue > 0 ? alignmentValue : GGUF_DEFAULT_ALIGNMENT;
    const dataOffset = alignUp(r.position, alignment);
    for (const t of tensors) {
      const size = tensorByteSize(t.type, t.dims);
      const end = dataOffset + t.offset + (size ?? 0);
      if (end > fileSize) {
        throw new GgufFormatError(
          `is truncated: tensor '${t.name}' ends at byte ${end} but the file has ${fileSize} bytes`,
        );
      }
    }
    return { version, metadata, tensors, dataOffset, fileSize };
  } finally {
    await file.close();
  }
}

async function readValue(r: ChunkedReader, type: number, key: string): Promise<GgufMetaValue> {
  switch (type) {
    case GgufValueType.UINT8:
      return (await r.bytes(1)).readUInt8(0);
    case GgufValueType.INT8:
      return (await r.bytes(1)).readInt8(0);
    case GgufValueType.UINT16:
      return (await r.bytes(2)).readUInt16LE(0);
    case GgufValueType.INT16:
      return (await r.bytes(2)).readInt16LE(0);
    case GgufValueType.UINT32:
      return r.u32();
    case GgufValueType.INT32:
      return (await r.bytes(4)).readInt32LE(0);
    case GgufValueType.FLOAT32:
      return (await r.bytes(4)).readFloatLE(0);
    case GgufValueType.BOOL:
      return (await r.bytes(1)).readUInt8(0) !== 0;
    case GgufValueType.STRING:
      return r.string();
    case GgufValueType.UINT64: {
      const v = (await r.bytes(8)).readBigUInt64LE(0);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    case GgufValueType.INT64: {
      const v = (await r.bytes(8)).readBigInt64LE(0);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
    }
    case GgufValueType.FLOAT64:
      return (await r.bytes(8)).readDoubleLE(0);
    case GgufValueType.ARRAY: {
      const itemType = await r.u32();
      if (itemType === GgufValueType.ARRAY) throw new GgufFormatError(`metadata '${key}' nests arrays`);
      const n = await r.count(`length of metadata '${key}'`);
      const items: GgufMetaValue[] = [];
      for (let i = 0; i < n; i++) items.push(await readValue(r, itemType, key));
      return items;
    }
    default:
      throw new GgufFormatError(`metadata '${key}' has unknown value type ${type}`);
  }
}

/** Sequential little-endian reads over a file, refilled in 1 MiB chunks. */
class ChunkedReader {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  position = 0;

  constructor(
    private readonly size: number,
    private readonly readAt: (buf: Buffer, pos: number) => Promise<number>,
  ) {}

  async bytes(n: number): Promise<Buffer> {
    if (this.position + n > this.size) {
      throw new GgufFormatError(`is truncated: needed ${n} bytes at offset ${this.position} of ${this.size}`);
    }
    const rel = this.position - this.bufStart;
    if (rel + n > this.buf.length) {
      const chunk = Buffer.alloc(Math.max(n, Math.min(READ_CHUNK, this.size - this.position)));
      const got = await this.readAt(chunk, this.position);
      this.buf = chunk.subarray(0, got);
      this.bufStart = this.position;
      if (got < n) throw new GgufFormatError(`is truncated at offset ${this.position}`);
    }
    const start = this.position - this.bufStart;
    this.position += n;
    return this.buf.subarray(start, start + n);
  }

  async u32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0);
  }

  async u64Number(what: string): Promise<number> {
    const v = (await this.bytes(8)).readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError(`has an impossible ${what} (${v})`);
    return Number(v);
  }

  async count(what: string): Promise<number> {
    const n = await this.u64Number(what);
    if (n > MAX_COUNT) throw new GgufFormatError(`has an impossible ${what} (${n})`);
    return n;
  }

  async string(): Promise<string> {
    const n = await this.u64Number("string length");
    if (n > MAX_STRING)
      throw new GgufFormatError(`has an impossible string length (${n}) at offset ${this.position}`);
    return (await this.bytes(n)).toString("utf8");
  }
}
