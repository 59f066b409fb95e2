import type { BatchApiResult } from "../backends/batch-apis/batch-api-client.js";
import type { ResultBatch } from "./result-batches.js";

/**
 * A ResultBatch as a results thread hands it over (results-thread.ts): every string of it in one
 * text, and the rest as numbers in one array that is moved, not copied. Structured cloning
 * 5,000 result objects would cost the receiving thread about as much as parsing them did; one
 * string and one Float64Array cost it a copy, and each answer is then a slice of that text.
 */
export interface EncodedResultBatch {
  text: string;
  meta: Float64Array;
}

/** Per result: record id (NaN: none), flags, status (NaN: none), input and output tokens, then the lengths of key, body (-1: none), code and message. */
const FIELDS = 9;
const OK = 1;
const RETRYABLE = 2;
const USAGE = 4;

export function encodeResultBatch(batch: ResultBatch): EncodedResultBatch {
  const { results, recordIds } = batch;
  const meta = new Float64Array(results.length * FIELDS);
  const parts: string[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    const at = i * FIELDS;
    meta[at] = recordIds[i] ?? Number.NaN;
    meta[at + 2] = r.statusCode ?? Number.NaN;
    meta[at + 5] = r.key.length;
    meta[at + 6] = r.body === null ? -1 : r.body.length;
    parts.push(r.key);
    if (r.body !== null) parts.push(r.body);
    if (r.ok) {
      meta[at + 1] = OK | (r.usage ? USAGE : 0);
      meta[at + 3] = r.usage?.inputTokens ?? 0;
      meta[at + 4] = r.usage?.outputTokens ?? 0;
    } else {
      meta[at + 1] = r.retryable ? RETRYABLE : 0;
      meta[at + 7] = r.code.length;
      meta[at + 8] = r.message.length;
      parts.push(r.code, r.message);
    }
  }
  return { text: parts.join(""), meta };
}

export function decodeResultBatch({ text, meta }: EncodedResultBatch): ResultBatch {
  const count = meta.length / FIELDS;
  const results: BatchApiResult[] = new Array(count);
  const recordIds: Array<number | null> = new Array(count);
  let pos = 0;
  const take = (n: number): string => {
    const start = pos;
    pos += n;
    return text.slice(start, pos);
  };
  for (let i = 0; i < count; i++) {
    const at = i * FIELDS;
    const id = meta[at]!;
    recordIds[i] = Number.isNaN(id) ? null : id;
    const flags = meta[at + 1]!;
    const status = meta[at + 2]!;
    const key = take(meta[at + 5]!);
    const bodyLength = meta[at + 6]!;
    const body = bodyLength < 0 ? null : take(bodyLength);
    if (flags & OK) {
      results[i] = {
        key,
        ok: true,
        statusCode: status,
        body: body ?? "",
        usage: flags & USAGE ? { inputTokens: meta[at + 3]!, outputTokens: meta[at + 4]! } : null,
      };
    } else {
      const code = take(meta[at + 7]!);
      const message = take(meta[at + 8]!);
      results[i] = {
        key,
        ok: false,
        retryable: (flags & RETRYABLE) !== 0,
        code,
        message,
        statusCode: Number.isNaN(status) ? null : status,
        body,
      };
    }
  }
  if (pos !== text.length) throw new Error(`encoded results: ${text.length - pos} characters left over`);
  return { results, recordIds };
}
