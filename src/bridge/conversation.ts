/**
 * The dialect-neutral form of a chat request that bridging reads every dialect into and writes
 * every dialect from (OpenAI chat, Anthropic Messages, Bedrock Converse). Whatever one target may
 * refuse keeps the path of the field it came from (`param`), so the refusal names the user's field.
 */
export interface Conversation {
  model: string;
  system: Array<{ text: string; param: string }>;
  turns: Turn[];
  /** The answer's token cap; null when the request set none. */
  maxTokens: number | null;
  temperature: Setting<number> | null;
  topP: Setting<number> | null;
  stop: string[] | null;
  tools: ToolSpec[];
  toolChoice: Setting<ToolChoice> | null;
  /** False only when the request forbade parallel tool calls. */
  parallelToolCalls: Setting<boolean> | null;
  /** A JSON answer asked for (`response_format`): given as a forced tool, read back as text. */
  jsonOutput: (ToolSpec & { param: string }) | null;
  /** An end-user id for abuse tracking (`user`, `metadata.user_id`). */
  user: Setting<string> | null;
}

export interface Setting<T> {
  value: T;
  param: string;
}

export interface Turn {
  role: "user" | "assistant";
  parts: Part[];
}

export type Part =
  | { type: "text"; text: string }
  | { type: "image"; image: ImageSource; param: string }
  | { type: "tool_call"; id: string; name: string; input: unknown }
  | { type: "tool_result"; id: string; text: string };

export type ImageSource = { kind: "base64"; mediaType: string; data: string } | { kind: "url"; url: string };

export interface ToolSpec {
  name: string;
  description?: string;
  /** A JSON Schema for the tool's input (an object schema). */
  schema: unknown;
}

export type ToolChoice =
  | { type: "auto" }
  | { type: "none" }
  | { type: "required" }
  | { type: "tool"; name: string };

/** The name of the forced tool that carries a `json_object` answer (json_schema answers use their own name). */
export const JSON_OBJECT_TOOL = "json_output";

/** Anthropic requires max_tokens; a chat request without one gets this (docs/providers.md). */
export const DEFAULT_MAX_TOKENS = 4096;
