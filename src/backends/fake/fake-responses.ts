import type { FakeRequest } from "./fake-requests.js";
import { hashText, seededRandom } from "./seeded-random.js";

/**
 * Answers in OpenAI's wire format. The text and vectors are derived from a hash of the prompt,
 * so the same request always gets the same content (only ids and timestamps differ) and tests
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

export function fakeText(request: FakeRequest, tokens: number, choice = 0): string {
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
  switch (request.endpoint) {
    case "chat":
      return chatCompletion(request, ctx);
    case "completions":
      return textCompletion(request, ctx);
    case "embeddings":
      return embeddings(request, ctx);
    case "responses":
      return response(request, ctx);
  }
}

function chatCompletion(request: FakeRequest, ctx: ResponseContext): string {
  const { tokens, capped } = completionLength(request, ctx.outputTokens);
  const choices = [];
  for (let i = 0; i < request.n; i++) {
    choices.push({
      index: i,
      message: {
        role: "assistant",
        content: request.jsonSchemaProperties
          ? fakeJson(request, request.jsonSchemaProperties, tokens, i)
          : fakeText(request, tokens, i),
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: capped ? "length" : "stop",
    });
  }
  return JSON.stringify({
    id: `chatcmpl-${ctx.idSuffix}`,
    object: "chat.completion",
    created: ctx.created,
    model: request.model,
    choices,
    usage: {
      prompt_tokens: request.promptTokens,
      completion_tokens: tokens * request.n,
      total_tokens: request.promptTokens + tokens * request.n,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
    service_tier: "default",
    system_fingerprint: "fp_docket_fake",
  });
}

function textCompletion(request: FakeRequest, ctx: ResponseContext): string {
  const { tokens, capped } = completionLength(request, ctx.outputTokens);
  const choices = [];
  for (let i = 0; i < request.n; i++) {
    choices.push({
      text: fakeText(request, tokens, i),
      index: i,
      logprobs: null,
      finish_reason: capped ? "length" : "stop",
    });
  }
  return JSON.stringify({
    id: `cmpl-${ctx.idSuffix}`,
    object: "text_completion",
    created: ctx.created,
    model: request.model,
    choices,
    usage: {
      prompt_tokens: request.promptTokens,
      completion_tokens: tokens * request.n,
      total_tokens: request.promptTokens + tokens * request.n,
    },
    system_fingerprint: "fp_docket_fake",
  });
}

function embeddings(request: FakeRequest, ctx: ResponseContext): string {
  const dim = request.dimensions ?? ctx.embeddingDim;
  const data = request.inputs.map((text, index) => {
    const vector = fakeEmbedding(text, dim);
    return {
      object: "embedding",
      index,
      embedding: request.base64
        ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString("base64")
        : Array.from(vector),
    };
  });
  return JSON.stringify({
    object: "list",
    data,
    model: request.model,
    usage: { prompt_tokens: request.promptTokens, total_tokens: request.promptTokens },
  });
}

function response(request: FakeRequest, ctx: ResponseContext): string {
  const { tokens, capped } = completionLength(request, ctx.outputTokens);
  return JSON.stringify({
    id: `resp_${ctx.idSuffix}`,
    object: "response",
    created_at: ctx.created,
    status: capped ? "incomplete" : "completed",
    error: null,
    incomplete_details: capped ? { reason: "max_output_tokens" } : null,
    instructions: request.instructions,
    max_output_tokens: request.maxTokens,
    model: request.model,
    output: [
      {
        type: "message",
        id: `msg_${ctx.idSuffix}`,
        status: capped ? "incomplete" : "completed",
        role: "assistant",
        content: [{ type: "output_text", text: fakeText(request, tokens), annotations: [] }],
      },
    ],
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    usage: {
      input_tokens: request.promptTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: request.promptTokens + tokens,
    },
  });
}

/** OpenAI's error envelope. */
export function openAIErrorBody(
  message: string,
  type: string,
  param: string | null,
  code: string | null,
): string {
  return JSON.stringify({ error: { message, type, param, code } });
}
