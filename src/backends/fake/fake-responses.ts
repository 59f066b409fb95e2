import { seededRandom } from "../../domain/seeded-random.js";
import {
  chatCompletionBody,
  type FinishReason,
  textCompletionBody,
} from "../openai-wire/completion-bodies.js";
import { embeddingsBody, encodeEmbedding } from "../openai-wire/embeddings-body.js";
import { responseBody } from "../openai-wire/response-body.js";
import type { FakeRequest } from "./fake-requests.js";
import { hashText } from "./text-hash.js";

/**
 * The fake backend's answers: OpenAI's wire format (`../openai-wire`) around made-up content.
 * The text and vectors are derived from a hash of the prompt, so the same request always gets the same content (only ids and timestamps differ) and tests
 * can compare results. The vocabulary holds a few multi-byte words so that clients' UTF-8
 * decoding across chunk boundaries is exercised too.
 */
const WORDS = [
  "the",
  "model",
  "batch",
  "record",
  "token",
  "answer",
  "queue",
  "docket",
  "result",
  "line",
  "café",
  "naïve",
  "日本語",
  "🙂",
  "fast",
  "slow",
  "ready",
  "done",
  "again",
  "value",
];

export interface ResponseContext {
  /** Unique per answer; each object type adds its own prefix (`chatcmpl-`, `resp_`…). */
  idSuffix: string;
  /** Unix seconds. */
  created: number;
  /** Tokens generated when the request's own cap is not lower. */
  outputTokens: number;
  embeddingDim: number;
}

/** Tokens one choice generates, and whether the request's cap cut it short. */
export function completionLength(
  request: FakeRequest,
  outputTokens: number,
): { tokens: number; capped: boolean } {
  if (request.maxTokens !== null && request.maxTokens < outputTokens)
    return { tokens: request.maxTokens, capped: true };
  return { tokens: outputTokens, capped: false };
}

export function fakeText(
  request: Pick<FakeRequest, "promptText" | "model">,
  tokens: number,
  choice = 0,
): string {
  const next = seededRandom(hashText(request.promptText, hashText(request.model) ^ choice));
  const words = new Array<string>(tokens);
  for (let i = 0; i < tokens; i++) words[i] = WORDS[Math.floor(next() * WORDS.length)]!;
  return words.join(" ");
}

/**
 * A JSON object with the schema's fields, values derived from the prompt like fakeText: strings
 * share the token budget, numbers are integers 0–99, booleans and arrays of words as typed.
 */
export function fakeJson(
  request: FakeRequest,
  properties: Record<string, string>,
  tokens: number,
  choice = 0,
): string {
  const next = seededRandom(hashText(request.promptText, hashText(request.model) ^ choice ^ 0x5f3759df));
  const names = Object.keys(properties);
  const wordsEach = Math.max(1, Math.floor(tokens / Math.max(1, names.length)));
  const words = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]!);
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const type = properties[name];
    if (type === "integer" || type === "number") out[name] = Math.floor(next() * 100);
    else if (type === "boolean") out[name] = next() < 0.5;
    else if (type === "array") out[name] = words(Math.min(3, wordsEach));
    else out[name] = words(wordsEach).join(" ");
  }
  return JSON.stringify(out);
}

/** A unit-length vector, so cosine similarity of identical inputs is exactly 1. */
export function fakeEmbedding(text: string, dim: number): Float32Array {
  const next = seededRandom(hashText(text));
  const vector = new Float32Array(dim);
  let norm = 0;
  for (let i = 0; i < dim; i++) {
    const v = next() * 2 - 1;
    vector[i] = v;
    norm += v * v;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dim; i++) vector[i] = Math.round(vector[i]! * scale * 1e6) / 1e6;
  return vector;
}

export function fakeResponseBody(request: FakeRequest, ctx: ResponseContext): string {
  if (request.endpoint === "embeddings") {
    const dim = request.dimensions ?? ctx.embeddingDim;
    const encoding = request.base64 ? "base64" : "float";
    const vectors = request.inputs.map((text) => encodeEmbedding(fakeEmbedding(text, dim), encoding));
    return embeddingsBody(request.model, vectors, request.promptTokens);
  }
  const { tokens, capped } = completionLength(request, ctx.outputTokens);
  if (request.endpoint === "responses") {
    return responseBody({
      idSuffix: ctx.idSuffix,
      created: ctx.created,
      model: request.model,
      instructions: request.instructions,
      maxOutputTokens: request.maxTokens,
      text: fakeText(request, tokens),
      capped,
      inputTokens: request.promptTokens,
      outputTokens: tokens,
    });
  }
  const header = {
    idSuffix: ctx.idSuffix,
    created: ctx.created,
    model: request.model,
    systemFingerprint: "fp_docket_fake",
  };
  const finishReason: FinishReason = capped ? "length" : "stop";
  const choices = Array.from({ length: request.n }, (_, i) => ({
    text:
      request.endpoint === "chat" && request.jsonSchemaProperties
        ? fakeJson(request, request.jsonSchemaProperties, tokens, i)
        : fakeText(request, tokens, i),
    finishReason,
  }));
  const counts = { promptTokens: request.promptTokens, completionTokens: tokens * request.n };
  return request.endpoint === "chat"
    ? chatCompletionBody(header, choices, counts, "basic")
    : textCompletionBody(header, choices, counts);
}
