import { BridgeError } from "./bridge-error.js";
import { isJsonObject, type JsonObject } from "./json-fields.js";
import { promptTokens, type Reply, type StopReason } from "./reply.js";

/** Reads an OpenAI chat completion with one choice (bridged requests never ask for more). */
export function readChatReply(c: JsonObject): Reply {
  const choice = Array.isArray(c.choices) ? c.choices[0] : undefined;
  if (!isJsonObject(choice) || !isJsonObject(choice.message)) {
    throw new BridgeError("", "the backend's answer is not a chat completion (no choices[0].message).");
  }
  const message = choice.message;
  const toolCalls = (Array.isArray(message.tool_calls) ? message.tool_calls : []).map((call, i) => {
    const fn = isJsonObject(call) && isJsonObject(call.function) ? call.function : {};
    let input: unknown;
    try {
      input = JSON.parse(typeof fn.arguments === "string" ? fn.arguments : "");
    } catch {
      throw new BridgeError(
        `choices[0].message.tool_calls[${i}].function.arguments`,
        "the backend's tool call arguments are not JSON, so they cannot become a tool_use input.",
      );
    }
    return { id: String((call as JsonObject).id), name: String(fn.name), input };
  });
  const u = isJsonObject(c.usage) ? c.usage : {};
  const details = isJsonObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const cached = typeof details.cached_tokens === "number" ? details.cached_tokens : 0;
  const prompt = typeof u.prompt_tokens === "number" ? u.prompt_tokens : 0;
  return {
    id: typeof c.id === "string" ? c.id : null,
    text: typeof message.content === "string" && message.content !== "" ? [message.content] : [],
    toolCalls,
    stop: FROM_FINISH[String(choice.finish_reason)] ?? "end_turn",
    stopSequence: null,
    usage: {
      input: prompt - cached,
      output: typeof u.completion_tokens === "number" ? u.completion_tokens : 0,
      cacheRead: cached,
      cacheWrite: 0,
    },
  };
}

const FROM_FINISH: Record<string, StopReason> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  function_call: "tool_use",
  content_filter: "refusal",
};

const TO_FINISH: Record<StopReason, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

/**
 * Writes an OpenAI chat completion; `model` is the one the user asked for. When the request
 * asked for JSON (`jsonTool`), the forced tool's input is the answer's content, as JSON text,
 * with finish_reason "stop".
 */
export function writeChatReply(
  r: Reply,
  model: string,
  o: { jsonTool: string | null; fallbackId: string; created: number },
): JsonObject {
  const json = o.jsonTool === null ? undefined : r.toolCalls.find((c) => c.name === o.jsonTool);
  const calls = json ? [] : r.toolCalls;
  const text = json ? JSON.stringify(json.input) : r.text.join("");
  const finish = json && r.stop === "tool_use" ? "stop" : TO_FINISH[r.stop];
  const prompt = promptTokens(r.usage);
  return {
    id: r.id ?? o.fallbackId,
    object: "chat.completion",
    created: o.created,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text === "" && calls.length > 0 ? null : text,
          refusal: null,
          ...(calls.length > 0
            ? {
                tool_calls: calls.map((c) => ({
                  id: c.id,
                  type: "function",
                  function: { name: c.name, arguments: JSON.stringify(c.input) },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: r.usage.output,
      total_tokens: prompt + r.usage.output,
      prompt_tokens_details: { cached_tokens: r.usage.cacheRead },
    },
  };
}
