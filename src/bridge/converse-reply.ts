import { BridgeError } from "./bridge-error.js";
import { isJsonObject, type JsonObject } from "./json-fields.js";
import { type Reply, readUsage, type StopReason } from "./reply.js";

/** Converse's stop reasons; guardrail and content filter stops read as refusals. */
const FROM_CONVERSE: Record<string, StopReason> = {
  end_turn: "end_turn",
  stop_sequence: "stop_sequence",
  max_tokens: "max_tokens",
  tool_use: "tool_use",
  content_filtered: "refusal",
  guardrail_intervened: "refusal",
  model_context_window_exceeded: "max_tokens",
};

/** Reads a Bedrock Converse answer (`output.message.content[]`, `stopReason`, `usage`); it has no id. */
export function readConverseReply(c: JsonObject): Reply {
  const output = isJsonObject(c.output) ? c.output : {};
  const message = isJsonObject(output.message) ? output.message : null;
  if (!message || !Array.isArray(message.content)) {
    throw new BridgeError("", "the backend's answer is not a Converse output (no output.message.content).");
  }
  const reply: Reply = {
    id: null,
    text: [],
    toolCalls: [],
    stop: FROM_CONVERSE[String(c.stopReason)] ?? "end_turn",
    stopSequence: null,
    usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  };
  for (const block of message.content) {
    if (!isJsonObject(block)) continue;
    if (typeof block.text === "string") reply.text.push(block.text);
    else if (isJsonObject(block.toolUse)) {
      const use = block.toolUse;
      reply.toolCalls.push({ id: String(use.toolUseId), name: String(use.name), input: use.input ?? {} });
    }
  }
  reply.usage = readUsage(c.usage, {
    input: "inputTokens",
    output: "outputTokens",
    cacheRead: "cacheReadInputTokens",
    cacheWrite: "cacheWriteInputTokens",
  });
  return reply;
}
