import { Readable } from "node:stream";
import type { BlobStore } from "../blobs/blob-store.js";
import type { StoredFile } from "../domain/file.js";
import { newId } from "../domain/ids.js";
import type { Job } from "../domain/job.js";
import type { FinishedRecord } from "../domain/record.js";
import type { Store } from "../store/store.js";
import type { ResultFile } from "./finalize-files.js";
import { jsonBody } from "./result-lines.js";
import { servedMarker } from "./served-marker.js";

/**
 * Records per page read with their bodies. Smaller than the OpenAI writer's pages because each
 * record brings its request body along; a body stored in parts is streamed, never joined.
 */
const PAGE = 64;
/** Output bytes gathered before they are handed to the blob store in one write. */
const FLUSH_BYTES = 1024 * 1024;

/**
 * Bedrock's output file: one `<input file name>.out` (Bedrock writes `records.jsonl.out` for
 * `records.jsonl`), every record in input order, each line `{"recordId","modelInput",
 * "modelOutput"}` or, for a record that failed, `{"recordId","modelInput","error":{"errorCode",
 * "errorMessage"}}` (docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html).
 * `modelInput` is the record's stored body and `modelOutput` the stored answer, both spliced in
 * as text: the bytes the user sent and the bytes the model answered come back unchanged. Null when
 * the job has no records (nothing was written).
 */
export async function writeBedrockOutput(
  store: Pick<Store, "readFinished" | "getFile" | "capabilities">,
  blobs: BlobStore,
  job: Job,
  file: ResultFile,
): Promise<StoredFile | null> {
  const input = await store.getFile(job.inputFileId);
  const filename = `${input?.filename ?? `${job.inputFileId}.jsonl`}.out`;
  let lines = 0;
  async function* source(): AsyncGenerator<Buffer> {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const add = (b: Buffer) => {
      pending.push(b);
      pendingBytes += b.length;
    };
    const take = () => {
      const out = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      return out;
    };
    let after = -1;
    for (;;) {
      const page = await store.readFinished(job.id, after, PAGE, { bodies: true });
      if (page.length === 0) break;
      after = page[page.length - 1]!.position;
      for (const r of page) {
        const [head, tail] = bedrockLineAround(r);
        add(Buffer.from(head));
        const body = r.input;
        if (!body) throw new Error(`record ${r.id} was read without its body`);
        if ("text" in body) add(Buffer.from(body.text));
        else {
          for (let part = 0; part < body.parts; part++) {
            const bytes = await store.capabilities.largeBodies?.readBodyPart(r.id, part);
            if (!bytes) throw new Error(`part ${part} of record ${r.id}'s body is missing`);
            add(bytes);
            if (pendingBytes >= FLUSH_BYTES) yield take();
          }
        }
        add(Buffer.from(tail));
        lines++;
        if (pendingBytes >= FLUSH_BYTES) yield take();
      }
    }
    if (pendingBytes > 0) yield take();
  }
  const id = newId("file-");
  const blobKey = `outputs/${job.id}/${id}`;
  const { bytes } = await blobs.put(blobKey, Readable.from(source()));
  if (lines === 0) {
    await blobs.delete(blobKey);
    return null;
  }
  return file({ id, blobKey, bytes, filename });
}

/**
 * The text of a record's `.out` line before and after its `modelInput` (the body goes between,
 * streamed when it is stored in parts), newline included.
 */
export function bedrockLineAround(r: FinishedRecord): [string, string] {
  const recordId = r.customIdJson ?? JSON.stringify(r.customId);
  const head = `{"recordId":${recordId},"modelInput":`;
  const marker = servedMarker(r);
  if (r.state === "succeeded" && r.response)
    return [head, `,"modelOutput":${jsonBody(r.response.body)}${marker}}\n`];
  const { errorCode, errorMessage } = bedrockError(r);
  return [head, `,"error":${JSON.stringify({ errorCode, errorMessage })}${marker}}\n`];
}

/**
 * A failed record as Bedrock's `error` (`errorCode` a number, HTTP-like, as in Bedrock's docs:
 * `{"errorCode": 400, "errorMessage": "bad request"}`). A record the backend answered keeps that
 * answer's status and message; one that never got an answer is given the status closest to why:
 * 408 when time ran out (a timeout, or the job's completion window ending before it ran), 499 when
 * the job was cancelled or stopped by its budget before it ran, 400 when its body could not be
 * translated for its route, 500 for everything else (connection errors, attempts exhausted).
 */
export function bedrockError(r: FinishedRecord): { errorCode: number; errorMessage: string } {
  if (r.response && r.state !== "cancelled" && r.state !== "expired") {
    const message = r.error?.message ?? messageIn(r.response.body);
    return {
      errorCode: r.response.statusCode,
      errorMessage: message ?? `The model backend answered HTTP ${r.response.statusCode}.`,
    };
  }
  if (r.state === "expired") {
    return {
      errorCode: 408,
      errorMessage:
        r.error?.message ?? "The job's completion window ended before this record could be processed.",
    };
  }
  if (r.state === "cancelled") {
    return {
      errorCode: 499,
      errorMessage: r.error?.message ?? "The job was stopped before this record was processed.",
    };
  }
  const error = r.error ?? { code: "unknown_error", message: "The record failed." };
  const code = error.code === "timeout" ? 408 : error.code === "unsupported_by_route" ? 400 : 500;
  return { errorCode: code, errorMessage: `${error.code}: ${error.message}` };
}

/** The message of an error body in AWS's (`message`), OpenAI's or Anthropic's (`error.message`) shape. */
function messageIn(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body.trim() ? body.slice(0, 1000) : null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const o = parsed as { message?: unknown; Message?: unknown; error?: { message?: unknown } };
  const message = o.message ?? o.Message ?? o.error?.message;
  return typeof message === "string" ? message : null;
}
