import { pipeline } from "node:stream/promises";
import { invalidRequest, notFound } from "../../domain/errors.js";
import type { FilePurpose, StoredFile } from "../../domain/file.js";
import { newId } from "../../domain/ids.js";
import { toOpenAiFile } from "../../views/openai-file.js";
import { toOpenAiList } from "../../views/openai-list.js";
import { attachmentDisposition } from "../content-disposition.js";
import type { Handler, RequestContext } from "../deps.js";
import { sendJson } from "../json.js";
import { receiveMultipart } from "../multipart-upload.js";
import { listScope, visible } from "../ownership.js";
import type { PathTable } from "../path-table.js";
import { readLimit, readOptional } from "../query.js";
import { EXPIRES_AFTER_MIN_SECONDS, formNumber, parseExpiresAfter } from "./expires-after.js";

/** Purposes a client may upload; `batch_output` files are only ever written by Docket. */
const UPLOAD_PURPOSES: readonly FilePurpose[] = ["batch", "user_data"];
/** OpenAI's bounds for files.list: limit 1–10,000, default 10,000. */
const LIST_MAX = 10_000;
const LIST_ORDERS = ["asc", "desc"] as const;

export function addFileHandlers(paths: PathTable<Handler>): void {
  paths
    .add("POST", "/v1/files", createFile)
    .add("GET", "/v1/files", listFiles)
    .add("GET", "/v1/files/:id", retrieveFile)
    .add("DELETE", "/v1/files/:id", deleteFile)
    .add("GET", "/v1/files/:id/content", fileContent);
}

async function createFile(ctx: RequestContext): Promise<void> {
  const { store, blobs, config } = ctx.deps;
  const id = newId("file-");
  const blobKey = `files/${id}`;
  // A project already at its stored-bytes quota is refused before any byte is read.
  await ctx.deps.quotas?.checkStorage(ctx.principal.projectId, 0);
  const upload = await receiveMultipart(ctx.req, {
    blobs,
    blobKey,
    fileField: "file",
    maxBytes: config.maxUploadBytes,
    // Fields sent before the file are checked before any byte of it is stored.
    checkField: (name, value) => {
      if (name === "purpose") parsePurpose(value);
      if (name === "expires_after[anchor]")
        parseExpiresAfter(value, EXPIRES_AFTER_MIN_SECONDS, "expires_after");
      if (name === "expires_after[seconds]")
        parseExpiresAfter("created_at", formNumber(value), "expires_after");
    },
  });
  try {
    if (!upload.file) throw invalidRequest("Missing the 'file' part of the form.", "file");
    const purpose = parsePurpose(upload.fields.get("purpose"));
    await ctx.deps.quotas?.checkStorage(ctx.principal.projectId, upload.file.bytes);
    const createdAt = ctx.now();
    const file: StoredFile = {
      id,
      filename: upload.file.filename || "upload",
      purpose,
      bytes: upload.file.bytes,
      blobKey,
      createdAt,
      expiresAt: parseExpiry(upload.fields, createdAt),
      projectId: ctx.principal.projectId,
    };
    // The row goes in only once the blob is durable, so a listed file always has its bytes.
    await store.insertFile(file);
    sendJson(ctx.res, 200, toOpenAiFile(file));
  } catch (err) {
    if (upload.file) await blobs.delete(blobKey);
    throw err;
  }
}

async function listFiles(ctx: RequestContext): Promise<void> {
  const limit = readLimit(ctx.query, LIST_MAX, LIST_MAX);
  const order = readOrder(readOptional(ctx.query, "order"));
  const rows = await ctx.deps.store.listFiles({
    purpose: readOptional(ctx.query, "purpose"),
    projectId: listScope(ctx),
    after: readOptional(ctx.query, "after"),
    limit: limit + 1,
    order,
  });
  sendJson(ctx.res, 200, toOpenAiList(rows, limit, toOpenAiFile));
}

async function retrieveFile(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, toOpenAiFile(await findFile(ctx)));
}

async function deleteFile(ctx: RequestContext): Promise<void> {
  const file = await findFile(ctx);
  // Row first: a crash in between leaves an orphan blob (harmless), never a row without bytes.
  if (!(await ctx.deps.store.deleteFile(file.id))) throw notFound("file", file.id);
  await ctx.deps.blobs.delete(file.blobKey);
  sendJson(ctx.res, 200, { id: file.id, object: "file", deleted: true });
}

async function fileContent(ctx: RequestContext): Promise<void> {
  const file = await findFile(ctx);
  const body = await ctx.deps.blobs.get(file.blobKey);
  const jsonl = file.filename.endsWith(".jsonl") || file.purpose === "batch_output";
  ctx.res.statusCode = 200;
  ctx.res.setHeader("content-type", jsonl ? "application/jsonl" : "application/octet-stream");
  ctx.res.setHeader("content-length", file.bytes);
  ctx.res.setHeader("content-disposition", attachmentDisposition(file.filename));
  await pipeline(body, ctx.res);
}

async function findFile(ctx: RequestContext): Promise<StoredFile> {
  const id = ctx.params.id!;
  // Another project's file answers exactly as an unknown one (ownership.ts).
  const file = visible(ctx.principal, await ctx.deps.store.getFile(id));
  if (!file) throw notFound("file", id);
  return file;
}

function parsePurpose(value: string | undefined): FilePurpose {
  if (value === undefined) throw invalidRequest("Missing the 'purpose' field of the form.", "purpose");
  const purpose = UPLOAD_PURPOSES.find((p) => p === value);
  if (!purpose) {
    throw invalidRequest(
      `'${value}' is not a supported purpose. Supported purposes: ${UPLOAD_PURPOSES.join(", ")}.`,
      "purpose",
    );
  }
  return purpose;
}

/** `created_at` (default, newest first, as OpenAI) or oldest first. */
function readOrder(value: string | undefined): "asc" | "desc" {
  if (value === undefined) return "desc";
  const order = LIST_ORDERS.find((o) => o === value);
  if (!order) {
    throw invalidRequest(`'order' must be 'asc' or 'desc'; got ${JSON.stringify(value)}.`, "order");
  }
  return order;
}

/**
 * OpenAI's optional `expires_after` policy, which the SDK sends as the form fields
 * `expires_after[anchor]=created_at` and `expires_after[seconds]=N` (1 hour to 30 days).
 */
function parseExpiry(fields: Map<string, string>, createdAt: number): number | null {
  const seconds = fields.get("expires_after[seconds]");
  const anchor = fields.get("expires_after[anchor]");
  if (seconds === undefined && anchor === undefined) return null;
  return createdAt + parseExpiresAfter(anchor, formNumber(seconds), "expires_after") * 1000;
}
