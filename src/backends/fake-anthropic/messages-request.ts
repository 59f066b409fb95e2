import { parseJsonObject } from "../../domain/json-object.js";
import { estimateTokens } from "../fake/fake-requests.js";

/**
 * Reads and checks a Messages API request the way Anthropic does
 * (https://docs.anthropic.com/en/api/messages; the SDK's `MessageCreateParams` in
 * node_modules/@anthropic-ai/sdk/resources/messages/messages.d.ts), with errors that name the
 * field by its path (`messages.0.content.1.source`) as the real API's do. It keeps what the fake
 * needs to answer: the prompt text (the answer is derived from it), the output cap, the stop
 * sequences, the tool to call, and where the last cache breakpoint falls.
 */
export interface MessagesRequest {
  model: string;
  /** Tools, system and message text in Anthropic's cache order: what the answer derives from. */
  promptText: string;
  promptTokens: number;
  /** Characters of `promptText` up to the last `cache_control` breakpoint (0: none), and their tokens. */
  cacheableChars: number;
  cacheableTokens: number;
  /** Null for count_tokens, which has no output cap. */
  maxTokens: number | null;
  stopSequences: string[];
  /** The tool the answer calls, or null for a text answer. */
  toolCall: { name: string; inputSchema: unknown } | null;
}

export interface MessagesRequestError {
  message: string;
}

/** A text that makes the fake call the first tool under `tool_choice: auto`. */
export const TOOL_USE_MARKER = "[[use_tool]]";

const ROLES = new Set(["user", "assistant"]);
const CHOICES = new Set(["auto", "any", "tool", "none"]);
const BLOCK_TYPES = ["text", "image", "document", "tool_use", "tool_result"];

export function parseMessagesRequest(
  body: string,
  kind: "create" | "count_tokens",
): MessagesRequest | MessagesRequestError {
  const req = parseJsonObject(body);
  if (req === null) return { message: "Request body must be a JSON object." };
  if (req.model === undefined) return { message: "model: Field required" };
  if (typeof req.model !== "string" || req.model === "")
    return { message: "model: Input should be a valid string" };
  let maxTokens: number | null = null;
  if (kind === "create") {
    if (req.max_tokens === undefined) return { message: "max_tokens: Field required" };
    if (typeof req.max_tokens !== "number" || !Number.isInteger(req.max_tokens))
      return { message: "max_tokens: Input should be a valid integer" };
    if (req.max_tokens < 1) return { message: "max_tokens: Input should be greater than or equal to 1" };
    maxTokens = req.max_tokens;
  }
  if (req.stream === true)
    return { message: "stream: streaming is not supported by the fake Anthropic server" };

  const prompt = new PromptText();
  const tools = readTools(req.tools, prompt);
  if ("message" in tools) return tools;
  const system = readSystem(req.system, prompt);
  if (system) return system;
  const messages = readMessages(req.messages, prompt);
  if (messages) return messages;
  const sampling = readSampling(req);
  if (sampling) return sampling;
  const stops = readStopSequences(req.stop_sequences);
  if (!Array.isArray(stops)) return stops;
  const choice = readToolChoice(req.tool_choice, tools.list);
  if ("message" in choice) return choice;

  const promptText = prompt.text;
  return {
    model: req.model,
    promptText,
    promptTokens: estimateTokens(promptText),
    cacheableChars: prompt.cachedChars,
    cacheableTokens: prompt.cachedChars > 0 ? estimateTokens(promptText.slice(0, prompt.cachedChars)) : 0,
    maxTokens,
    stopSequences: stops,
    toolCall: toolToCall(choice, tools.list, lastUserText(req.messages as unknown[])),
  };
}

export function isMessagesRequestError(
  value: MessagesRequest | MessagesRequestError,
): value is MessagesRequestError {
  return !("model" in value);
}

/** The prompt in cache order, with the position of the last `cache_control` breakpoint. */
class PromptText {
  private parts: string[] = [];
  private length = 0;
  cachedChars = 0;

  add(text: string, block?: Record<string, unknown>): void {
    if (text) {
      this.parts.push(text);
      this.length += text.length + 1;
    }
    if (block && isObject(block.cache_control)) this.cachedChars = this.length;
  }

  get text(): string {
    return this.parts.join("\n");
  }
}

interface Tool {
  name: string;
  inputSchema: unknown;
}

function readTools(tools: unknown, prompt: PromptText): { list: Tool[] } | MessagesRequestError {
  if (tools === undefined) return { list: [] };
  if (!Array.isArray(tools)) return { message: "tools: Input should be a valid list" };
  const list: Tool[] = [];
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool)) return { message: `tools.${i}: Input should be a valid dictionary` };
    if (typeof tool.name !== "string" || tool.name === "")
      return { message: `tools.${i}.name: Field required` };
    // Server tools (`web_search_20250305`…) have a versioned type and no schema of their own.
    if (tool.type !== undefined && tool.type !== "custom") {
      prompt.add(tool.name, tool);
      continue;
    }
    if (!isObject(tool.input_schema)) return { message: `tools.${i}.input_schema: Field required` };
    if (tool.input_schema.type !== "object")
      return { message: `tools.${i}.input_schema.type: Input should be 'object'` };
    const description = typeof tool.description === "string" ? tool.description : "";
    prompt.add(`${tool.name} ${description} ${JSON.stringify(tool.input_schema)}`, tool);
    list.push({ name: tool.name, inputSchema: tool.input_schema });
  }
  return { list };
}

function readSystem(system: unknown, prompt: PromptText): MessagesRequestError | null {
  if (system === undefined) return null;
  if (typeof system === "string") {
    prompt.add(system);
    return null;
  }
  if (!Array.isArray(system))
    return { message: "system: Input should be a valid string or a list of text blocks" };
  for (const [i, block] of system.entries()) {
    if (!isObject(block) || block.type !== "text" || typeof block.text !== "string")
      return { message: `system.${i}: Input should be a text block ({"type":"text","text":…})` };
    prompt.add(block.text, block);
  }
  return null;
}

function readMessages(messages: unknown, prompt: PromptText): MessagesRequestError | null {
  if (messages === undefined) return { message: "messages: Field required" };
  if (!Array.isArray(messages)) return { message: "messages: Input should be a valid list" };
  if (messages.length === 0) return { message: "messages: at least one message is required" };
  for (const [i, message] of messages.entries()) {
    const at = `messages.${i}`;
    if (!isObject(message)) return { message: `${at}: Input should be a valid dictionary` };
    if (!ROLES.has(message.role as string))
      return { message: `${at}.role: Input should be 'user' or 'assistant'` };
    const content = message.content;
    if (typeof content === "string") {
      prompt.add(content);
      continue;
    }
    if (!Array.isArray(content)) return { message: `${at}.content: Field required` };
    for (const [j, block] of content.entries()) {
      const error = readBlock(block, `${at}.content.${j}`, prompt);
      if (error) return error;
    }
  }
  return null;
}

function readBlock(block: unknown, at: string, prompt: PromptText): MessagesRequestError | null {
  if (!isObject(block)) return { message: `${at}: Input should be a valid dictionary` };
  switch (block.type) {
    case "text":
      if (typeof block.text !== "string") return { message: `${at}.text: Field required` };
      prompt.add(block.text, block);
      return null;
    case "image":
      return readSource(block, at, ["base64", "url"], prompt);
    case "document":
      return readSource(block, at, ["base64", "text", "url", "content"], prompt);
    case "tool_use":
      if (typeof block.id !== "string") return { message: `${at}.id: Field required` };
      if (typeof block.name !== "string") return { message: `${at}.name: Field required` };
      if (!isObject(block.input)) return { message: `${at}.input: Input should be a valid dictionary` };
      prompt.add(`${block.name} ${JSON.stringify(block.input)}`, block);
      return null;
    case "tool_result":
      if (typeof block.tool_use_id !== "string") return { message: `${at}.tool_use_id: Field required` };
      if (block.content === undefined || typeof block.content === "string") {
        prompt.add(block.content ?? "", block);
        return null;
      }
      if (!Array.isArray(block.content))
        return { message: `${at}.content: Input should be a string or a list` };
      for (const [k, inner] of block.content.entries()) {
        const error = readBlock(inner, `${at}.content.${k}`, prompt);
        if (error) return error;
      }
      prompt.add("", block);
      return null;
    default:
      return {
        message: `${at}: Input tag '${String(block.type)}' found using 'type' does not match any of the expected tags: ${BLOCK_TYPES.map((t) => `'${t}'`).join(", ")}`,
      };
  }
}

function readSource(
  block: Record<string, unknown>,
  at: string,
  kinds: string[],
  prompt: PromptText,
): MessagesRequestError | null {
  const source = block.source;
  if (!isObject(source) || !kinds.includes(source.type as string))
    return {
      message: `${at}.source: Input should be a source of type ${kinds.map((k) => `'${k}'`).join(", ")}`,
    };
  if (source.type === "base64" && (typeof source.data !== "string" || typeof source.media_type !== "string"))
    return { message: `${at}.source: base64 sources need 'media_type' and 'data'` };
  if (source.type === "url" && typeof source.url !== "string")
    return { message: `${at}.source.url: Field required` };
  if (source.type === "text" && typeof source.data !== "string")
    return { message: `${at}.source.data: Field required` };
  prompt.add(source.type === "text" ? (source.data as string) : "", block);
  return null;
}

function readSampling(req: Record<string, unknown>): MessagesRequestError | null {
  for (const [name, max] of [
    ["temperature", 1],
    ["top_p", 1],
  ] as const) {
    const value = req[name];
    if (value === undefined) continue;
    if (typeof value !== "number" || value < 0 || value > max)
      return { message: `${name}: Input should be a number between 0 and ${max}` };
  }
  if (
    req.top_k !== undefined &&
    (typeof req.top_k !== "number" || !Number.isInteger(req.top_k) || req.top_k < 0)
  )
    return { message: "top_k: Input should be a non-negative integer" };
  return null;
}

function readStopSequences(stops: unknown): string[] | MessagesRequestError {
  if (stops === undefined) return [];
  if (!Array.isArray(stops) || !stops.every((s) => typeof s === "string"))
    return { message: "stop_sequences: Input should be a valid list of strings" };
  return stops as string[];
}

type Choice = { type: "auto" | "any" | "none" } | { type: "tool"; name: string };

function readToolChoice(choice: unknown, tools: Tool[]): Choice | MessagesRequestError {
  if (choice === undefined) return { type: "auto" };
  if (!isObject(choice) || !CHOICES.has(choice.type as string))
    return { message: "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'" };
  if (choice.type !== "tool") return { type: choice.type as "auto" | "any" | "none" };
  if (typeof choice.name !== "string") return { message: "tool_choice.name: Field required" };
  if (!tools.some((t) => t.name === choice.name))
    return { message: `tool_choice: tool '${choice.name}' is not among the request's tools` };
  return { type: "tool", name: choice.name };
}

/**
 * The tool the fake calls: the named one for `tool`, the first for `any`, and under `auto` the
 * first when the last user turn carries TOOL_USE_MARKER and is not itself a tool result (so a
 * tool loop ends with text, as a model's does).
 */
function toolToCall(choice: Choice, tools: Tool[], lastUser: string | null): Tool | null {
  if (tools.length === 0 || choice.type === "none") return null;
  if (choice.type === "tool") return tools.find((t) => t.name === choice.name) ?? null;
  if (choice.type === "any") return tools[0]!;
  return lastUser?.includes(TOOL_USE_MARKER) ? tools[0]! : null;
}

/** The text of the last message when it is the user's and holds no tool result. */
function lastUserText(messages: unknown[]): string | null {
  const last = messages[messages.length - 1] as Record<string, unknown>;
  if (last.role !== "user") return null;
  if (typeof last.content === "string") return last.content;
  const blocks = last.content as Record<string, unknown>[];
  if (blocks.some((b) => b.type === "tool_result")) return null;
  return blocks.map((b) => (typeof b.text === "string" ? b.text : "")).join("\n");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
