import type { ConverseCommand, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import type { RawAnswer } from "./bedrock-failures.js";

/** Largest answer read from Bedrock; beyond it the call fails rather than exhausting memory. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** What one call sent and got, below the SDK's serializer and parser. */
export interface RawExchange {
  /** Sent as the HTTP body instead of what the SDK serialized (the user's bytes, unchanged). */
  body: string;
  /** Extra headers for this request (signed with the rest). */
  headers?: Record<string, string>;
  /** The HTTP answer as it came, errors included; null until one came. */
  answer: RawAnswer | null;
}

interface WireRequest {
  headers: Record<string, string>;
  body?: unknown;
}

interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * Two middlewares on one command, so that Bedrock gets the user's body byte for byte and
 * Docket keeps Bedrock's answer byte for byte (the SDK would re-encode both: Converse through
 * its model of the API, which drops members newer than the SDK):
 * - at build, before the content length is set and the request signed, the serialized body is
 *   replaced by `exchange.body`;
 * - just below the parser, the answer's body is read (bounded) into `exchange.answer` and handed
 *   on as bytes, so the SDK still parses it and raises its typed errors, and the token-count
 *   headers are at hand.
 */
export function captureRawExchange(
  command: InvokeModelCommand | ConverseCommand,
  exchange: RawExchange,
): void {
  const stack = command.middlewareStack as unknown as MiddlewareStackLike;
  stack.add(
    (next) => async (args) => {
      const request = args.request as WireRequest;
      request.body = exchange.body;
      request.headers["content-length"] = String(Buffer.byteLength(exchange.body));
      if (exchange.headers) Object.assign(request.headers, exchange.headers);
      return next(args);
    },
    { step: "build", priority: "high", name: "docketRawRequestBody" },
  );
  stack.addRelativeTo(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as WireResponse;
      const bytes = await readBounded(response.body);
      response.body = bytes;
      exchange.answer = {
        statusCode: response.statusCode,
        headers: lowerCaseHeaders(response.headers),
        body: bytes.toString("utf8"),
      };
      return result;
    },
    { relation: "after", toMiddleware: "deserializerMiddleware", name: "docketRawAnswer" },
  );
}

/** Not retried: the same call would bring the same answer. */
export class AnswerTooLargeError extends Error {
  override readonly name = "AnswerTooLargeError";
  constructor() {
    super(`Bedrock's answer is larger than ${MAX_ANSWER_BYTES} bytes; it was not read.`);
  }
}

type Handler = (args: { request: unknown }) => Promise<{ response: unknown; output?: unknown }>;

/** The slice of the SDK's middleware stack used here, typed without @smithy/types. */
interface MiddlewareStackLike {
  add(
    middleware: (next: Handler) => Handler,
    options: { step: string; priority: string; name: string },
  ): void;
  addRelativeTo(
    middleware: (next: Handler) => Handler,
    options: { relation: "before" | "after"; toMiddleware: string; name: string },
  ): void;
}

async function readBounded(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
    total += buf.length;
    if (total > MAX_ANSWER_BYTES) {
      (body as { destroy?: () => void }).destroy?.();
      throw new AnswerTooLargeError();
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

function lowerCaseHeaders(headers: Record<string, string>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}
