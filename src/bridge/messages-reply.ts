import { BridgeError } from "./bridge-error.js";
import { isJsonObject, type JsonObject } from "./json-fields.js";
import { type Reply, readUsage, type StopReason } from "./reply.js";

const STOP_REASONS: ReadonlySet<string> = new Set([
  "end_turn",
  "stop_sequence",
  "max_tokens",
  "tool_use",
  "refusal",
]);

/** Reads an Anthropic Message (what `/v1/messages` answers, and Claude on Bedrock's InvokeModel). */
export function readMessagesReply(m: JsonObject): Reply {
  if (m.type !== "message" || !Array.isArray(m.content)) {
    throw new BridgeError(
      "",
      'the backend\'s answer is not an Anthropic Message (no type "message" with content).',
    );
  }
  const reply: Reply = {
    id: typeof m.id === "string" ? m.id : null,
    text: [],
    toolCalls: [],
    stop: stopReason(m.stop_reason),
    stopSequence: typeof m.stop_sequence === "string" ? m.stop_sequence : null,
    usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  };
  for (const block of m.content) {
    if (!isJsonObject(block)) continue;
    if (block.type === "text" && typeof block.text === "string") reply.text.push(block.text);
    else if (block.type === "tool_use") {
      reply.toolCalls.push({ id: String(block.id), name: String(block.name), input: block.input ?? {} });
    }
  }
  reply.usage = readUsage(m.usage, {
    input: "input_tokens",
    output: "output_tokens",
    cacheRead: "cache_read_input_tokens",
    cacheWrite: "cache_creation_input_tokens",
  });
  return reply;
}

/** Anthropic's newer reasons map onto the five: a paused turn ended the turn, a full context is a cap. */
function stopReason(value: unknown): StopReason {
  if (typeof value === "string" && STOP_REASONS.has(value)) return value as StopReason;
  if (value === "model_context_window_exceeded") return "max_tokens";
  return "end_turn";
}

/** Writes an Anthropic Message; `model` is the one the user asked for. */
export function writeMessagesReply(r: Reply, model: string, fallbackId: string): JsonObject {
  return {
    id: r.id ?? fallbackId,
    type: "message",
    role: "assistant",
    model,
    content: [
      ...r.text.filter((t) => t !== "").map((text) => ({ type: "text", text })),
      ...r.toolCalls.map((c) => ({ type: "tool_use", id: c.id, name: c.name, input: c.input })),
    ],
    stop_reason: r.stop,
    stop_sequence: r.stopSequence,
    usage: {
      input_tokens: r.usage.input,
      cache_creation_input_tokens: r.usage.cacheWrite,
      cache_read_input_tokens: r.usage.cacheRead,
      output_tokens: r.usage.output,
    },
  };
}
