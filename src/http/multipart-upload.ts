import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import busboy from "busboy";
import type { BlobStore } from "../blobs/blob-store.js";
import { DocketError, invalidRequest } from "../domain/errors.js";
import { discardBody } from "./discard-body.js";
import { cleanUploadFilename } from "./upload-filename.js";

export interface MultipartOptions {
  blobs: BlobStore;
  /** Key the file part is stored under. */
  blobKey: string;
  /** Name of the form part holding the file (`file` for OpenAI). */
  fileField: string;
  maxBytes: number;
  /**
   * Called for each text field as it arrives; throwing aborts the upload. Lets a bad
   * `purpose` sent before the file be refused before any byte of the file is stored.
   */
  checkField?: (name: string, value: string) => void;
}

export interface ReceivedMultipart {
  fields: Map<string, string>;
  /** The stored file part, if one was sent; its blob is durable under `blobKey`. */
  file: { filename: string; bytes: number } | undefined;
}

/** Text fields are small (purpose, expiry); a large one is a mistake, not a file. */
const FIELD_LIMITS = { fields: 20, fieldSize: 64 * 1024, files: 1, parts: 40 };

/**
 * The most a form can add around its file: every field at full size plus every part's
 * headers (busboy caps a part's header block at 16 KiB). A Content-Length above the file
 * limit plus this cannot be an acceptable upload, so it is refused before a byte is read.
 */
export const MULTIPART_OVERHEAD_BYTES =
  FIELD_LIMITS.fields * FIELD_LIMITS.fieldSize + FIELD_LIMITS.parts * 16 * 1024;

/**
 * Parses a multipart/form-data request, streaming its one file part straight into the blob
 * store (never into memory). On any failure (too large, malformed form, client gone) the
 * partial or stored blob is removed before the promise rejects, and the rest of the request
 * body is drained so the client can read the error response on the same connection.
 */
export function receiveMultipart(
  req: IncomingMessage,
  options: MultipartOptions,
): Promise<ReceivedMultipart> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (declared > options.maxBytes + MULTIPART_OVERHEAD_BYTES) {
      reject(
        new DocketError(
          "payload_too_large",
          `The request body is ${declared} bytes (Content-Length), more than an upload may be: files are limited to ${options.maxBytes} bytes (server.maxUploadBytes).`,
          413,
        ),
      );
      return;
    }
    let parser: busboy.Busboy;
    try {
      // Filenames are UTF-8 (what browsers, undici and the openai SDK send), not latin1.
      parser = busboy({ headers: req.headers, limits: FIELD_LIMITS, defParamCharset: "utf8" });
    } catch {
      discardBody(req);
      reject(invalidRequest("Expected a multipart/form-data body with a 'file' part.", options.fileField));
      return;
    }

    const fields = new Map<string, string>();
    let filename = "";
    let fileStream: Readable | undefined;
    let upload: Promise<number> | undefined;
    let settled = false;

    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      discardBody(req);
      if (fileStream) {
        // The store's read loop may already be done with it; an error nobody listens to
        // anymore must not crash the process.
        fileStream.on("error", () => {});
        fileStream.destroy(err instanceof Error ? err : new Error(String(err)));
      }
      parser.on("error", () => {});
      parser.destroy();
      // Wait for the store to finish (or abandon) the blob, then remove it, so a failed
      // upload never leaves a blob behind.
      const cleanup = upload
        ? upload.then(
            () => options.blobs.delete(options.blobKey),
            () => undefined,
          )
        : Promise.resolve();
      cleanup.then(
        () => reject(err),
        () => reject(err),
      );
    };

    parser.on("field", (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) {
        fail(invalidRequest(`The form field '${name}' is too long.`, name));
        return;
      }
      fields.set(name, value);
      try {
        options.checkField?.(name, value);
      } catch (err) {
        fail(err);
      }
    });

    parser.on("file", (name, stream, info) => {
      if (name !== options.fileField || upload || settled) {
        stream.resume();
        return;
      }
      fileStream = stream;
      filename = cleanUploadFilename(info.filename ?? "");
      upload = options.blobs
        .put(options.blobKey, stream, { maxBytes: options.maxBytes })
        .then((r) => r.bytes);
      upload.catch(fail);
    });

    parser.on("error", (err: Error) =>
      fail(invalidRequest(`Malformed multipart/form-data body: ${err.message}.`)),
    );

    parser.on("close", () => {
      if (settled) return;
      if (!upload) {
        settled = true;
        resolve({ fields, file: undefined });
        return;
      }
      upload.then((bytes) => {
        if (settled) return;
        settled = true;
        resolve({ fields, file: { filename, bytes } });
      }, fail);
    });

    req.on("close", () => {
      if (!req.complete)
        fail(new DocketError("request_aborted", "The client closed the connection mid-upload.", 400));
    });

    req.pipe(parser);
  });
}
