import { estimateTokens } from "../fake/fake-requests.js";
import { fakeText } from "../fake/fake-responses.js";
import type { MessagesRequest } from "./messages-request.js";
import { schemaInstance } from "./schema-instance.js";

/**
 * A Messages API answer (`Message` in the SDK's messages.d.ts) around made-up content: the text
 * is derived from the prompt like the OpenAI fake's (same request, same text), or one `tool_use`
 * block whose input satisfies the tool's schema. Stop reasons as the real API gives them:
 * `end_turn`, `max_tokens` when the cap cut the text, `stop_sequence` (with the sequence) when
 * one occurs in the would-be text, `tool_use`.
 */
export interface MessageContext {
  idSuffix: string;
  /** Tokens generated when `max_tokens` is not lower. */
  outputTokens: number;
  /** How the prompt's cacheable prefix counts: written to the cache now, or read from it. */
  cache: "none" | "write" | "read";
}

export interface MessageAnswer {
  body: string;
  inputTokens: number;
  outputTokens: number;
}

export function messageBody(request: MessagesRequest, ctx: MessageContext): MessageAnswer {
  let content: unknown[];
  let stopReason: string;
  let stopSequence: string | null = null;
  let outputTokens: number;
  if (request.toolCall) {
    const input = schemaInstance(request.toolCall.inputSchema);
    content = [{ type: "tool_use", id: `toolu_${ctx.idSuffix}`, name: request.toolCall.name, input }];
    stopReason = "tool_use";
    outputTokens = estimateTokens(JSON.stringify(input));
  } else {
    const cap = request.maxTokens ?? ctx.outputTokens;
    const capped = cap < ctx.outputTokens;
    let text = fakeText(request, Math.min(cap, ctx.outputTokens));
    stopReason = capped ? "max_tokens" : "end_turn";
    const stop = firstStop(text, request.stopSequences);
    if (stop) {
      text = text.slice(0, stop.at);
      stopReason = "stop_sequence";
      stopSequence = stop.sequence;
    }
    content = [{ type: "text", text }];
    // The fake's words are its tokens; a stop sequence ends generation where it appears.
    outputTokens = stop ? text.split(" ").filter(Boolean).length : Math.min(cap, ctx.outputTokens);
  }
  const cached = ctx.cache === "none" ? 0 : request.cacheableTokens;
  const inputTokens = Math.max(0, request.promptTokens - cached);
  const usage = {
    input_tokens: inputTokens,
    cache_creation_input_tokens: ctx.cache === "write" ? cached : 0,
    cache_read_input_tokens: ctx.cache === "read" ? cached : 0,
    output_tokens: outputTokens,
    service_tier: "standard",
  };
  const body = JSON.stringify({
    id: `msg_${ctx.idSuffix}`,
    type: "message",
    role: "assistant",
    model: request.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopSequence,
    usage,
  });
  return { body, inputTokens: inputTokens + cached, outputTokens };
}

function firstStop(text: string, sequences: string[]): { at: number; sequence: string } | null {
  let best: { at: number; sequence: string } | null = null;
  for (const sequence of sequences) {
    if (sequence === "") continue;
    const at = text.indexOf(sequence);
    if (at >= 0 && (best === null || at < best.at)) best = { at, sequence };
  }
  return best;
}
