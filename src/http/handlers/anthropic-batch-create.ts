import { isUtf8 } from "node:buffer";
import { DEFAULT_VALIDATION_LIMITS } from "../../config/validation-limits.js";
import { DocketError } from "../../domain/errors.js";
import { newId } from "../../domain/ids.js";
import type { Job } from "../../domain/job.js";
import { scanJson } from "../../validation/json-scan.js";
import { scanJsonBytes } from "../../validation/json-scan-bytes.js";
import { parseDedupOptions } from "../dedup-fields.js";
import type { RequestContext } from "../deps.js";
import { BodyShapeError, RequestsArraySplitter } from "./requests-array-splitter.js";

/** Anthropic's Message Batch limits: 100,000 requests or 256 MB, whichever comes first. */
export const MAX_BATCH_REQUESTS = 100_000;
export const MAX_BATCH_BODY_BYTES = 256 * 1024 * 1024;
/** One request's params may be as large as one Messages API request (32 MB). */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
/** Anthropic's processing window: a batch ends (its unfinished requests `expired`) 24 h after creation. */
const WINDOW_MS = 24 * 3_600_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const NEWLINES = /[\r\n]/g;

/**
 * `POST /v1/messages/batches`: streams `{"requests":[{custom_id, params}, …]}` into an input file
 * of one `{"custom_id":…,"params":…}` line per request (params byte for byte, except that JSON
 * whitespace newlines become spaces), then creates the job (format `anthropic`, endpoint
 * `/v1/messages`). What Anthropic refuses at once is refused here (limits, custom_id rules,
 * params not an object); params are checked by validation, where a bad one errors only its request.
 */
export async function createMessageBatch(ctx: RequestContext): Promise<Job> {
  const { req } = ctx;
  if (Number(req.headers["content-length"]) > MAX_BATCH_BODY_BYTES) throw tooLarge();
  // Docket extension: the body takes nothing but `requests`, so dedup and cache come as headers.
  const dedup = parseDedupOptions(null, req.headers);
  // Quotas before the body is read: a refused batch costs no upload.
  await ctx.deps.quotas?.checkNewJob(ctx.principal.projectId);
  await ctx.deps.quotas?.checkStorage(ctx.principal.projectId, 0);
  const id = newId("msgbatch_");
  const fileId = newId("file-");
  const blobKey = `files/${fileId}`;
  const splitter = new RequestsArraySplitter(MAX_REQUEST_BYTES);
  const seen = new Set<string>();
  let requests = 0;
  let bodyBytes = 0;
  async function* lines(): AsyncGenerator<Buffer> {
    // Not destroyed when this stops early: the API drains the rest so the client reads our 400.
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      bodyBytes += chunk.length;
      if (bodyBytes > MAX_BATCH_BODY_BYTES) throw tooLarge();
      const out: Buffer[] = [];
      for (const element of splitter.push(chunk)) {
        if (requests >= MAX_BATCH_REQUESTS) {
          throw invalid(`requests: a Message Batch may hold at most ${MAX_BATCH_REQUESTS} requests.`);
        }
        out.push(requestLine(element, requests, seen));
        requests++;
      }
      if (out.length > 0) yield out.length === 1 ? out[0]! : Buffer.concat(out);
    }
    if (!req.complete)
      throw new DocketError("request_aborted", "The client closed the connection mid-request.");
    splitter.end();
    if (requests === 0) throw invalid("requests: List should have at least 1 item.");
  }
  let bytes: number;
  try {
    ({ bytes } = await ctx.deps.blobs.put(blobKey, lines()));
  } catch (err) {
    if (err instanceof BodyShapeError) throw invalid(err.message);
    throw err;
  }
  try {
    await ctx.deps.quotas?.checkStorage(ctx.principal.projectId, bytes);
  } catch (err) {
    await ctx.deps.blobs.delete(blobKey);
    throw err;
  }
  const createdAt = ctx.now();
  await ctx.deps.store.insertFile({
    id: fileId,
    filename: `${id}_requests.jsonl`,
    purpose: "batch",
    bytes,
    blobKey,
    createdAt,
    expiresAt: null,
    projectId: ctx.principal.projectId,
  });
  const job = await ctx.deps.store.insertJob({
    id,
    projectId: ctx.principal.projectId,
    format: "anthropic",
    endpoint: "/v1/messages",
    inputFileId: fileId,
    completionWindow: "24h",
    metadata: null,
    createdAt,
    expiresAt: createdAt + WINDOW_MS,
    ...(dedup ? { dedup } : {}),
  });
  // Validation (params checked per request) is the worker's job: creation stays fast.
  ctx.deps.events.workAvailable();
  return job;
}

/** One request as an input line, after Anthropic's immediate checks (the index names it in errors). */
function requestLine(element: Buffer, index: number, seen: Set<string>): Buffer {
  const at = `requests.${index}`;
  if (!isUtf8(element)) throw invalid(`${at}: the request is not valid UTF-8.`);
  const scan = scanJsonBytes(element, DEFAULT_VALIDATION_LIMITS.maxNestingDepth);
  if (!scan) {
    const text = element.toString("utf8");
    const failed = scanJson(text, DEFAULT_VALIDATION_LIMITS.maxNestingDepth);
    throw invalid(`${at}: ${failed.ok ? "not valid UTF-8 JSON" : failed.message}.`);
  }
  for (const key of scan.members.keys()) {
    if (key !== "custom_id" && key !== "params")
      throw invalid(`${at}.${key}: Extra inputs are not permitted.`);
  }
  const idSpan = scan.members.get("custom_id");
  if (!idSpan) throw invalid(`${at}.custom_id: Field required.`);
  const customId: unknown = JSON.parse(element.toString("utf8", idSpan.start, idSpan.end));
  if (typeof customId !== "string" || !CUSTOM_ID.test(customId)) {
    throw invalid(`${at}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'.`);
  }
  if (seen.has(customId)) throw invalid(`${at}.custom_id: Duplicate custom_id '${customId}' in the batch.`);
  seen.add(customId);
  const paramsSpan = scan.members.get("params");
  if (!paramsSpan) throw invalid(`${at}.params: Field required.`);
  if (!scan.nested.has("params")) throw invalid(`${at}.params: Input should be a valid dictionary.`);
  let params = element.subarray(paramsSpan.start, paramsSpan.end);
  // A raw newline in valid JSON is whitespace between tokens (strings cannot hold one): a space keeps it one line.
  if (params.includes(0x0a) || params.includes(0x0d))
    params = Buffer.from(params.toString("latin1").replace(NEWLINES, " "), "latin1");
  return Buffer.concat([
    Buffer.from(`{"custom_id":${JSON.stringify(customId)},"params":`),
    params,
    Buffer.from("}\n"),
  ]);
}

function invalid(message: string): DocketError {
  return new DocketError("invalid_request_error", message, 400);
}

function tooLarge(): DocketError {
  return new DocketError(
    "request_too_large",
    `A Message Batch may be at most ${MAX_BATCH_BODY_BYTES} bytes (256 MB).`,
    413,
  );
}
