/**
 * Constants of the GGUF v3 file format (ggml-org/ggml docs/gguf.md), shared by our writer and
 * reader so the two can never disagree about a number.
 */
export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** The ggml tensor types we write or need the size of. */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  BF16 = 30,
}

/** Elements per block and bytes per block, for sizing tensor data (unknown types return null). */
export function ggmlTypeBlock(type: number): { elements: number; bytes: number } | null {
  switch (type) {
    case GgmlType.F32:
      return { elements: 1, bytes: 4 };
    case GgmlType.F16:
    case GgmlType.BF16:
      return { elements: 1, bytes: 2 };
    case GgmlType.Q4_0:
      return { elements: 32, bytes: 18 };
    case GgmlType.Q4_1:
      return { elements: 32, bytes: 20 };
    case GgmlType.Q5_0:
      return { elements: 32, bytes: 22 };
    case GgmlType.Q5_1:
      return { elements: 32, bytes: 24 };
    case GgmlType.Q8_0:
      return { elements: 32, bytes: 34 };
    case GgmlType.Q8_1:
      return { elements: 32, bytes: 36 };
    default:
      return null;
  }
}

/** Bytes a tensor of `type` with these dimensions occupies, or null when the type is unknown to us. */
export function tensorByteSize(type: number, dims: readonly number[]): number | null {
  const block = ggmlTypeBlock(type);
  if (!block) return null;
  const elements = dims.reduce((a, b) => a * b, 1);
  return (elements / block.elements) * block.bytes;
}

export function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}
