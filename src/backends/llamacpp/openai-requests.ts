import { NOT_AN_OBJECT, readJsonRequest } from "../openai-wire/json-request.js";

/**
 * Parses the OpenAI request bodies the local engine serves into what it needs, refusing what it
 * cannot honour (streaming, n > 1, tools…) with a message naming the parameter, instead of
 * silently answering something else.
 */
export interface Sampling {
  temperature: number;
  topP: number;
  seed: number | null;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

interface GenerationFields {
  model: string | null;
  sampling: Sampling;
  /** null: generate until end of text or until the context is full. */
  maxTokens: number | null;
  stop: string[];
  /**
   * vLLM's `ignore_eos` extension: keep generating past end-of-text tokens, so a benchmark's
   * workload is exactly max_tokens per request.
   */
  ignoreEos: boolean;
}

export type ParsedRequest =
  | ({ kind: "chat"; messages: ChatMessage[] } & GenerationFields)
  | ({ kind: "completion"; prompt: string } & GenerationFields)
  | {
      kind: "embeddings";
      model: string | null;
      inputs: string[];
      encoding: "float" | "base64";
      dimensions: number | null;
    };

export type ParseResult =
  | { ok: true; request: ParsedRequest }
  | { ok: false; message: string; param: string | null };

export const SUPPORTED_ENDPOINTS = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"] as const;

class BadRequest extends Error {
  constructor(
    message: string,
    readonly param: string | null,
  ) {
    super(message);
  }
}

export function parseRequest(endpoint: string, body: string): ParseResult {
  try {
    const json = readJsonRequest(body);
    if (!json.ok) {
      throw new BadRequest(
        json.reason === "invalid_json" ? "The request body is not valid JSON." : NOT_AN_OBJECT,
        null,
      );
    }
    const b = json.fields;
    switch (endpoint) {
      case "/v1/chat/completions":
        return {
          ok: true,
          request: { kind: "chat", messages: messages(b.messages), ...generation(b, true) },
        };
      case "/v1/completions":
        return {
          ok: true,
          request: { kind: "completion", prompt: prompt(b.prompt), ...generation(b, false) },
        };
      case "/v1/embeddings":
        return { ok: true, request: embeddings(b) };
      default:
        throw new BadRequest(
          `The llamacpp backend does not serve ${endpoint}; it serves ${SUPPORTED_ENDPOINTS.join(", ")}.`,
          null,
        );
    }
  } catch (error) {
    if (error instanceof BadRequest) return { ok: false, message: error.message, param: error.param };
    throw error;
  }
}

function generation(b: Record<string, unknown>, chat: boolean): GenerationFields {
  if (b.stream === true)
    throw new BadRequest("Streaming is not supported by the llamacpp backend.", "stream");
  if (b.n !== undefined && b.n !== null && b.n !== 1) {
    throw new BadRequest("Only n = 1 is supported by the llamacpp backend.", "n");
  }
  if (b.logprobs === true || (typeof b.logprobs === "number" && b.logprobs > 0)) {
    throw new BadRequest("logprobs are not supported by the llamacpp backend.", "logprobs");
  }
  for (const unsupported of ["tools", "functions", "tool_choice", "function_call"]) {
    if (
      b[unsupported] !== undefined &&
      b[unsupported] !== null &&
      !(unsupported === "tool_choice" && b[unsupported] === "none")
    ) {
      throw new BadRequest(`'${unsupported}' is not supported by the llamacpp backend.`, unsupported);
    }
  }
  const format = b.response_format as { type?: unknown } | undefined | null;
  if (format && format.type !== "text") {
    throw new BadRequest(
      "Only response_format {type: 'text'} is supported by the llamacpp backend.",
      "response_format",
    );
  }
  const maxParam = chat && b.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens";
  return {
    model: typeof b.model === "string" ? b.model : null,
    sampling: {
      temperature: optionalNumber(b, "temperature", 0, 2) ?? 1,
      topP: optionalNumber(b, "top_p", 0, 1) ?? 1,
      seed: optionalInteger(b, "seed", Number.MIN_SAFE_INTEGER),
    },
    maxTokens: optionalInteger(b, maxParam, 1),
    stop: stop(b.stop),
    ignoreEos: b.ignore_eos === true,
  };
}

function messages(v: unknown): ChatMessage[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new BadRequest("'messages' must be a non-empty array.", "messages");
  return v.map((m, i) => {
    const param = `messages[${i}]`;
    if (typeof m !== "object" || m === null) throw new BadRequest(`${param} must be an object.`, param);
    const { role, content, tool_calls } = m as Record<string, unknown>;
    if (tool_calls !== undefined && tool_calls !== null) {
      throw new BadRequest("Tool calls are not supported by the llamacpp backend.", `${param}.tool_calls`);
    }
    const mapped = role === "developer" ? "system" : role;
    if (mapped !== "system" && mapped !== "user" && mapped !== "assistant") {
      throw new BadRequest(
        `${param}.role '${String(role)}' is not supported; use system, developer, user or assistant.`,
        `${param}.role`,
      );
    }
    return { role: mapped, content: messageText(content, `${param}.content`) };
  });
}

function messageText(content: unknown, param: string): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part, i) => {
        const p = part as { type?: unknown; text?: unknown } | null;
        if (p?.type !== "text" || typeof p.text !== "string") {
          throw new BadRequest(
            `${param}[${i}] must be a text part; the llamacpp backend reads text only.`,
            param,
          );
        }
        return p.text;
      })
      .join("");
  }
  throw new BadRequest(`${param} must be a string or an array of text parts.`, param);
}

function prompt(v: unknown): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === "string") return v[0];
  throw new BadRequest(
    "'prompt' must be a string (one prompt per request in the llamacpp backend).",
    "prompt",
  );
}

function stop(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || list.length > 4 || !list.every((s) => typeof s === "string" && s.length > 0)) {
    throw new BadRequest("'stop' must be a non-empty string or an array of up to 4 of them.", "stop");
  }
  return list as string[];
}

function embeddings(b: Record<string, unknown>): ParsedRequest {
  const input = b.input;
  const inputs = typeof input === "string" ? [input] : input;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((s) => typeof s === "string")) {
    throw new BadRequest("'input' must be a string or a non-empty array of strings.", "input");
  }
  const encoding = b.encoding_format ?? "float";
  if (encoding !== "float" && encoding !== "base64") {
    throw new BadRequest("'encoding_format' must be 'float' or 'base64'.", "encoding_format");
  }
  return {
    kind: "embeddings",
    model: typeof b.model === "string" ? b.model : null,
    inputs: inputs as string[],
    encoding,
    dimensions: optionalInteger(b, "dimensions", 1),
  };
}

function optionalNumber(b: Record<string, unknown>, key: string, min: number, max: number): number | null {
  const v = b[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw new BadRequest(`'${key}' must be a number from ${min} to ${max}.`, key);
  }
  return v;
}

function optionalInteger(b: Record<string, unknown>, key: string, min: number): number | null {
  const v = b[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    throw new BadRequest(`'${key}' must be an integer of at least ${min}.`, key);
  }
  return v;
}
