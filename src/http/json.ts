import type { IncomingMessage, ServerResponse } from "node:http";
import { DocketError, invalidRequest } from "../domain/errors.js";

/** JSON request bodies here are small (batch creation); anything larger is a mistake or abuse. */
export const MAX_JSON_BYTES = 1024 * 1024;

/** Reads and parses a JSON body, refusing one larger than `limit` bytes without buffering it. */
export function readJson(req: IncomingMessage, limit = MAX_JSON_BYTES): Promise<unknown> {
  if (Number(req.headers["content-length"]) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      // Stop collecting but leave the body to be drained, so the 413 reaches the client.
      req.off("data", onData);
      chunks.length = 0;
      reject(tooLarge(limit));
    };
    req.on("data", onData);
    req.on("end", () => {
      if (size <= limit) {
        try {
          resolve(parse(Buffer.concat(chunks).toString("utf8")));
        } catch (err) {
          reject(err);
        }
      }
    });
    req.on("close", () => {
      if (!req.complete)
        reject(new DocketError("request_aborted", "The client closed the connection mid-request.", 400));
    });
  });
}

function parse(text: string): unknown {
  if (text.trim() === "") throw invalidRequest("The request body is empty; expected a JSON object.");
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest(
      "We could not parse the JSON body of your request. Send a valid JSON object with Content-Type: application/json.",
    );
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", Buffer.byteLength(text));
  if (headers) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(text);
}

function tooLarge(limit: number): DocketError {
  return new DocketError("payload_too_large", `The JSON body exceeds the limit of ${limit} bytes.`, 413);
}
