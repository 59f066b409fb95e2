import type { IncomingMessage } from "node:http";
import { pipeline } from "node:stream/promises";
import { BlobTooLargeError } from "../../blobs/blob-store.js";
import { DocketError, invalidRequest, notFound } from "../../domain/errors.js";
import type { StoredFile } from "../../domain/file.js";
import { newId } from "../../domain/ids.js";
import type { Invocation, InvocationPointer } from "../../domain/invocation.js";
import { ENDPOINTS, type Endpoint } from "../../domain/job.js";
import { checkWebhookTarget } from "../../events/webhooks/target-guard.js";
import { type InvocationView, toInvocationView } from "../../views/invocation-view.js";
import { type AsyncApiDeps, announceStop, type Handler, type RequestContext } from "../deps.js";
import { discardBody } from "../discard-body.js";
import { sendJson } from "../json.js";
import { canSee, listScope, visible } from "../ownership.js";
import type { PathTable } from "../path-table.js";
import { readLimit, readOptional } from "../query.js";

/** Longest caller inference id and custom attributes accepted (SageMaker's limits). */
const MAX_INFERENCE_ID = 256;
const MAX_CUSTOM_ATTRIBUTES = 1024;
const MAX_TTL_SECONDS = 7 * 86_400;
const MAX_TIMEOUT_SECONDS = 86_400;

/**
 * SageMaker-style asynchronous invocations (docs/async-and-events.md): one request, its payload
 * streamed to the blob store, answered at once with where the result will appear.
 */
export function addInvocationHandlers(paths: PathTable<Handler>): void {
  paths
    .add("POST", "/v1/async/invocations", createInvocation)
    .add("GET", "/v1/async/invocations", listInvocations)
    .add("GET", "/v1/async/invocations/:id", retrieveInvocation)
    .add("POST", "/v1/async/invocations/:id/cancel", cancelInvocation)
    .add("GET", "/v1/async/invocations/:id/output", (ctx) => invocationResult(ctx, "output"))
    .add("GET", "/v1/async/invocations/:id/failure", (ctx) => invocationResult(ctx, "failure"));
}

export function asyncDeps(ctx: RequestContext): AsyncApiDeps {
  const deps = ctx.deps.async;
  if (!deps) {
    throw new DocketError("not_available", "Async invocations are not enabled on this server.", 501);
  }
  return deps;
}

async function createInvocation(ctx: RequestContext): Promise<void> {
  const deps = asyncDeps(ctx);
  const { store } = ctx.deps;
  const model = option(ctx, "x-docket-model", "model");
  if (!model) {
    throw invalidRequest(
      "Name the model in the X-Docket-Model header or the ?model= query parameter.",
      "model",
    );
  }
  const route = deps.routes.resolve(model);
  if (!route) throw new DocketError("model_not_found", `No route serves the model '${model}'.`, 404, "model");
  const endpoint = parseEndpoint(option(ctx, "x-docket-endpoint", "endpoint") ?? "/v1/chat/completions");
  const callerId = option(ctx, "x-docket-inference-id", "inference_id");
  if (callerId !== undefined && (callerId.length > MAX_INFERENCE_ID || !/^[\x21-\x7e]+$/.test(callerId))) {
    throw invalidRequest(
      `The inference id must be 1–${MAX_INFERENCE_ID} printable ASCII characters without spaces.`,
      "inference_id",
    );
  }
  const ttlMs = seconds(ctx, "x-docket-request-ttl-seconds", "request_ttl_seconds", MAX_TTL_SECONDS);
  const timeoutMs = seconds(
    ctx,
    "x-docket-invocation-timeout-seconds",
    "invocation_timeout_seconds",
    MAX_TIMEOUT_SECONDS,
  );
  const customAttributes = option(ctx, "x-docket-custom-attributes", "custom_attributes") ?? null;
  if (customAttributes !== null && customAttributes.length > MAX_CUSTOM_ATTRIBUTES) {
    throw invalidRequest(
      `Custom attributes are limited to ${MAX_CUSTOM_ATTRIBUTES} characters.`,
      "custom_attributes",
    );
  }
  const webhookUrl = option(ctx, "x-docket-webhook-url", "webhook_url") ?? null;
  if (webhookUrl !== null) await checkWebhookTarget(webhookUrl, deps.webhooks.allowPrivateTargets);
  const inputLocation = option(ctx, "x-docket-input-location", "input_location");

  // The same caller id again: the invocation it already made, without storing the payload twice.
  // The id is a key within the caller's project: another project's same id is another invocation.
  if (callerId !== undefined) {
    const existing = await store.getInvocation(callerId, ctx.principal.projectId);
    if (existing && existing.inferenceId === callerId && existing.job.projectId === ctx.principal.projectId) {
      discardBody(ctx.req, ctx.res);
      sendJson(ctx.res, 200, view(ctx, existing));
      return;
    }
  }

  await ctx.deps.quotas?.checkNewJob(ctx.principal.projectId);
  const id = newId("inv_");
  const createdAt = ctx.now();
  const ttl = ttlMs ?? deps.invocations.defaultTtlMs;
  const timeout = timeoutMs ?? deps.invocations.defaultTimeoutMs;
  // Backstop for the job as a whole: the TTL, every attempt at its timeout, and an hour of backoff.
  const expiresAt = createdAt + ttl + route.maxAttempts * timeout + 3_600_000;
  let input: StoredFile;
  let uploaded = false;
  if (inputLocation !== undefined) {
    discardBody(ctx.req, ctx.res);
    const file = visible(ctx.principal, await store.getFile(inputLocation));
    if (!file)
      throw new DocketError("not_found", `No file found with id '${inputLocation}'.`, 404, "input_location");
    input = file;
  } else {
    input = await receivePayload(ctx, deps, id, createdAt, expiresAt);
    uploaded = true;
  }
  try {
    const pointer: InvocationPointer = {
      input: input.blobKey,
      bytes: input.bytes,
      outputPrefix: `invocations/${id}/`,
      timeoutMs: timeout,
      customAttributes,
      ttlUntil: createdAt + ttl,
    };
    const { invocation, created } = await store.insertInvocation({
      id,
      projectId: ctx.principal.projectId,
      inferenceId: callerId ?? id,
      model,
      route: route.name,
      endpoint,
      inputFileId: input.id,
      inputBytes: input.bytes,
      body: JSON.stringify(pointer),
      maxAttempts: route.maxAttempts,
      ttlUntil: createdAt + ttl,
      timeoutMs: timeout,
      customAttributes,
      webhookUrl,
      createdAt,
      expiresAt,
    });
    if (!created && uploaded) await dropUpload(ctx, input);
    if (created) ctx.deps.events.workAvailable();
    sendJson(ctx.res, created ? 202 : 200, view(ctx, invocation));
  } catch (err) {
    if (uploaded) await dropUpload(ctx, input);
    throw err;
  }
}

/** Streams the request body into the blob store (never into memory), then records the file. */
async function receivePayload(
  ctx: RequestContext,
  deps: AsyncApiDeps,
  invocationId: string,
  createdAt: number,
  expiresAt: number,
): Promise<StoredFile> {
  const { req } = ctx;
  const max = deps.invocations.maxPayloadBytes;
  if (Number(req.headers["content-length"]) > max) throw payloadTooLarge(max);
  const id = newId("file-");
  const blobKey = `files/${id}`;
  await ctx.deps.quotas?.checkStorage(ctx.principal.projectId, 0);
  let bytes: number;
  try {
    ({ bytes } = await ctx.deps.blobs.put(blobKey, req, { maxBytes: max }));
  } catch (err) {
    if (err instanceof BlobTooLargeError) throw payloadTooLarge(max);
    if (!req.complete)
      throw new DocketError("request_aborted", "The client closed the connection mid-upload.", 400);
    throw err;
  }
  if (bytes === 0) {
    await ctx.deps.blobs.delete(blobKey);
    throw invalidRequest(
      "The request body is empty: send the payload, or name an uploaded file in input_location.",
    );
  }
  try {
    await ctx.deps.quotas?.checkStorage(ctx.principal.projectId, bytes);
  } catch (err) {
    await ctx.deps.blobs.delete(blobKey);
    throw err;
  }
  // The payload is only needed while the invocation can still run: it expires with the job.
  const file: StoredFile = {
    id,
    filename: `${invocationId}_input`,
    purpose: "user_data",
    bytes,
    blobKey,
    createdAt,
    expiresAt,
    projectId: ctx.principal.projectId,
  };
  await ctx.deps.store.insertFile(file);
  return file;
}

function payloadTooLarge(max: number): DocketError {
  return new DocketError(
    "payload_too_large",
    `The payload exceeds the limit of ${max} bytes (invocations.maxPayloadBytes); upload it with POST /v1/files and pass input_location, or raise the limit.`,
    413,
  );
}

async function dropUpload(ctx: RequestContext, file: StoredFile): Promise<void> {
  await ctx.deps.store.deleteFile(file.id);
  await ctx.deps.blobs.delete(file.blobKey);
}

async function listInvocations(ctx: RequestContext): Promise<void> {
  const limit = readLimit(ctx.query, 20, 100);
  const jobs = await ctx.deps.store.listJobs({
    after: readOptional(ctx.query, "after"),
    limit: limit + 1,
    kind: "invocation",
    projectId: listScope(ctx),
  });
  const data: InvocationView[] = [];
  for (const job of jobs.slice(0, limit)) {
    const inv = await ctx.deps.store.getInvocation(job.id);
    if (inv) data.push(view(ctx, inv));
  }
  sendJson(ctx.res, 200, {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: jobs.length > limit,
  });
}

async function retrieveInvocation(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, view(ctx, await findInvocation(ctx)));
}

async function cancelInvocation(ctx: RequestContext): Promise<void> {
  const inv = await findInvocation(ctx);
  if (inv.job.status === "in_progress") {
    await ctx.deps.store.cancelJob(inv.job.id, ctx.now());
    await announceStop(ctx.deps.events, inv.job.id);
  }
  sendJson(ctx.res, 200, view(ctx, (await ctx.deps.store.getInvocation(inv.job.id)) ?? inv));
}

/** The result once there is one: 409 while it runs, 404 when it ended the other way. */
async function invocationResult(ctx: RequestContext, which: "output" | "failure"): Promise<void> {
  const inv = await findInvocation(ctx);
  const v = view(ctx, inv);
  const ended = ["succeeded", "failed", "cancelled"].includes(v.status);
  if (!ended) {
    throw new DocketError(
      "invocation_not_finished",
      `Invocation ${inv.job.id} is ${v.status}; its ${which} is not ready yet.`,
      409,
    );
  }
  const fileId = which === "output" ? inv.job.outputFileId : inv.job.errorFileId;
  const file = fileId ? await ctx.deps.store.getFile(fileId) : undefined;
  if (!file) {
    const other = which === "output" ? "failure_location" : "output_location";
    throw new DocketError(
      `no_${which}`,
      `Invocation ${inv.job.id} ended ${v.status} and has no ${which}${fileId ? " any more (expired)" : `; see its ${other}`}.`,
      404,
    );
  }
  const body = await ctx.deps.blobs.get(file.blobKey);
  ctx.res.statusCode = 200;
  ctx.res.setHeader("content-type", "application/json");
  ctx.res.setHeader("content-length", file.bytes);
  await pipeline(body, ctx.res);
}

/** By job id, or by inference id within the caller's project; another project's answers as unknown. */
export async function findInvocation(ctx: RequestContext): Promise<Invocation> {
  const id = ctx.params.id!;
  const inv = await ctx.deps.store.getInvocation(id, ctx.principal.projectId);
  if (!inv || !canSee(ctx.principal, inv.job.projectId)) throw notFound("invocation", id);
  return inv;
}

function view(ctx: RequestContext, inv: Invocation): InvocationView {
  return toInvocationView(inv, baseUrl(ctx.req));
}

/** This server as the client reached it, for absolute status and result URLs. */
export function baseUrl(req: IncomingMessage): string {
  const proto = req.headers["x-forwarded-proto"] === "https" ? "https" : "http";
  return `${proto}://${req.headers.host ?? "localhost"}`;
}

/** A header, else the query parameter of the same meaning. */
function option(ctx: RequestContext, header: string, query: string): string | undefined {
  const raw = ctx.req.headers[header];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value !== undefined && value !== "") return value;
  return readOptional(ctx.query, query);
}

function seconds(ctx: RequestContext, header: string, query: string, max: number): number | undefined {
  const raw = option(ctx, header, query);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    throw invalidRequest(`'${query}' must be a number of seconds between 1 and ${max}; got '${raw}'.`, query);
  }
  return Math.round(n * 1000);
}

function parseEndpoint(value: string): Endpoint {
  const endpoint = ENDPOINTS.find((e) => e === value);
  if (!endpoint) {
    throw invalidRequest(
      `'${value}' is not a supported endpoint. Supported: ${ENDPOINTS.join(", ")}.`,
      "endpoint",
    );
  }
  return endpoint;
}
