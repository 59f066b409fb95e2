import { CharsPerTokenEstimator } from "../../domain/chars-per-token-estimator.js";
import { NOT_AN_OBJECT, readJsonRequest } from "../openai-wire/json-request.js";

/**
 * Reads just enough of an OpenAI request to answer it: the model, the prompt text (for token
 * estimates and for deriving a deterministic answer), the output cap and embedding inputs.
 * Errors use OpenAI's wording and codes so clients see what a real server would say.
 */
export type FakeEndpoint = "chat" | "completions" | "embeddings" | "responses";

export interface FakeRequest {
  endpoint: FakeEndpoint;
  model: string;
  /** All prompt text, concatenated: what the answer is derived from. */
  promptText: string;
  promptTokens: number;
  /** The request's output cap, or null when it sets none. */
  maxTokens: number | null;
  /** Choices requested (chat and completions `n`). */
  n: number;
  /** Embeddings only: one text per input item, and the token count of each. */
  inputs: string[];
  dimensions: number | null;
  base64: boolean;
  instructions: string | null;
  /**
   * Chat only: the properties of a `response_format` JSON schema (name → JSON type), so the
   * answer is a JSON object with those fields, as a structured-output model would give.
   */
  jsonSchemaProperties: Record<string, string> | null;
}

export interface RequestError {
  status: number;
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** A request to `model` with nothing read into it yet: no prompt, no cap, one choice. */
export function emptyFakeRequest(endpoint: FakeEndpoint, model: string): FakeRequest {
  return {
    endpoint,
    model,
    promptText: "",
    promptTokens: 0,
    maxTokens: null,
    n: 1,
    inputs: [],
    dimensions: null,
    base64: false,
    instructions: null,
    jsonSchemaProperties: null,
  };
}

export function parseFakeRequest(endpoint: FakeEndpoint, body: string): FakeRequest | RequestError {
  const json = readJsonRequest(body);
  if (!json.ok) {
    return json.reason === "invalid_json"
      ? invalid(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
          null,
          null,
        )
      : invalid(NOT_AN_OBJECT, null, null);
  }
  const req = json.fields;
  if (typeof req.model !== "string" || req.model === "") {
    return invalid("you must provide a model parameter", "model", null);
  }
  if (req.stream === true) return invalid("Streaming is not supported by the fake backend.", "stream", null);

  const request = emptyFakeRequest(endpoint, req.model);
  let error: RequestError | null = null;
  if (endpoint === "chat") error = readChat(req, request);
  else if (endpoint === "completions") error = readCompletions(req, request);
  else if (endpoint === "embeddings") error = readEmbeddings(req, request);
  else error = readResponses(req, request);
  if (error) return error;
  request.promptTokens = estimateTokens(request.promptText);
  return request;
}

export function isRequestError(value: FakeRequest | RequestError): value is RequestError {
  return "status" in value;
}

const promptEstimate = new CharsPerTokenEstimator();

/** The usual rule of thumb for English text, and what the tpm limit counts: at least 1. */
export function estimateTokens(text: string): number {
  return Math.max(1, promptEstimate.count(text));
}

function readChat(req: Record<string, unknown>, out: FakeRequest): RequestError | null {
  const messages = req.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return invalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
  }
  const parts: string[] = [];
  for (const message of messages) {
    if (typeof message !== "object" || message === null) {
      return invalid(
        "Invalid type for 'messages': expected an array of objects.",
        "messages",
        "invalid_type",
      );
    }
    parts.push(contentText((message as Record<string, unknown>).content));
  }
  out.promptText = parts.join("\n");
  out.jsonSchemaProperties = schemaProperties(req.response_format);
  return readCaps(req, out, req.max_completion_tokens ?? req.max_tokens, "max_tokens");
}

function readCompletions(req: Record<string, unknown>, out: FakeRequest): RequestError | null {
  const prompt = req.prompt;
  if (typeof prompt === "string") out.promptText = prompt;
  else if (Array.isArray(prompt))
    out.promptText = prompt.map((p) => (typeof p === "string" ? p : "")).join("\n");
  else return invalid("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter");
  return readCaps(req, out, req.max_tokens, "max_tokens");
}

function readEmbeddings(req: Record<string, unknown>, out: FakeRequest): RequestError | null {
  const input = req.input;
  let items: unknown[];
  if (typeof input === "string") items = [input];
  else if (Array.isArray(input) && input.length > 0) {
    // A flat array of numbers is one tokenised input; an array of arrays is several.
    items = typeof input[0] === "number" ? [input] : input;
  } else return invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter");
  for (const item of items) {
    if (typeof item === "string") out.inputs.push(item);
    else if (Array.isArray(item)) out.inputs.push(item.join(" "));
    else return invalid("Invalid type for 'input'.", "input", "invalid_type");
  }
  out.promptText = out.inputs.join("\n");
  if (req.dimensions !== undefined) {
    if (typeof req.dimensions !== "number" || !Number.isInteger(req.dimensions) || req.dimensions < 1) {
      return invalid(
        "Invalid value for 'dimensions': expected a positive integer.",
        "dimensions",
        "invalid_value",
      );
    }
    out.dimensions = req.dimensions;
  }
  out.base64 = req.encoding_format === "base64";
  return null;
}

function readResponses(req: Record<string, unknown>, out: FakeRequest): RequestError | null {
  const input = req.input;
  if (typeof input === "string") out.promptText = input;
  else if (Array.isArray(input)) {
    out.promptText = input
      .map((item) =>
        typeof item === "object" && item !== null ? contentText((item as { content?: unknown }).content) : "",
      )
      .join("\n");
  } else return invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter");
  if (typeof req.instructions === "string") {
    out.instructions = req.instructions;
    out.promptText = `${req.instructions}\n${out.promptText}`;
  }
  return readCaps(req, out, req.max_output_tokens, "max_output_tokens");
}

function readCaps(
  req: Record<string, unknown>,
  out: FakeRequest,
  cap: unknown,
  name: string,
): RequestError | null {
  if (cap !== undefined && cap !== null) {
    if (typeof cap !== "number" || !Number.isInteger(cap) || cap < 1) {
      return invalid(
        `Invalid '${name}': integer below minimum value. Expected a value >= 1.`,
        name,
        "integer_below_min_value",
      );
    }
    out.maxTokens = cap;
  }
  if (req.n !== undefined && req.n !== null) {
    if (typeof req.n !== "number" || !Number.isInteger(req.n) || req.n < 1 || req.n > 128) {
      return invalid("Invalid 'n': expected an integer between 1 and 128.", "n", "invalid_value");
    }
    out.n = req.n;
  }
  return null;
}

/** `{type: "json_schema", json_schema: {schema: {properties}}}` → property name → type. */
function schemaProperties(format: unknown): Record<string, string> | null {
  const f = format as { type?: unknown; json_schema?: { schema?: { properties?: unknown } } } | null;
  if (typeof f !== "object" || f === null || f.type !== "json_schema") return null;
  const properties = f.json_schema?.schema?.properties;
  if (typeof properties !== "object" || properties === null) return {};
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(properties)) {
    const type = (spec as { type?: unknown } | null)?.type;
    out[name] = typeof type === "string" ? type : "string";
  }
  return out;
}

/** A message's text: a string, or the text of its parts (`text`/`input_text`). */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) {
    if (typeof part === "object" && part !== null) {
      const t = (part as { text?: unknown }).text;
      if (typeof t === "string") text += t;
    }
  }
  return text;
}

function invalid(message: string, param: string | null, code: string | null): RequestError {
  return { status: 400, message, type: "invalid_request_error", param, code };
}
