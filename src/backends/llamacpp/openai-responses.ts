import { randomBytes } from "node:crypto";

/** Why generation ended, in OpenAI's words: `length` when max_tokens (or the context) cut it. */
export type FinishReason = "stop" | "length";

export interface GenerationOutcome {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: FinishReason;
}

const now = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}-${randomBytes(12).toString("base64url")}`;

export function chatCompletionBody(model: string, g: GenerationOutcome): string {
  return JSON.stringify({
    id: newId("chatcmpl"),
    object: "chat.completion",
    created: now(),
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: g.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: g.finishReason,
      },
    ],
    usage: {
      prompt_tokens: g.promptTokens,
      completion_tokens: g.completionTokens,
      total_tokens: g.promptTokens + g.completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: "default",
    system_fingerprint: null,
  });
}

export function completionBody(model: string, g: GenerationOutcome): string {
  return JSON.stringify({
    id: newId("cmpl"),
    object: "text_completion",
    created: now(),
    model,
    choices: [{ text: g.text, index: 0, logprobs: null, finish_reason: g.finishReason }],
    usage: {
      prompt_tokens: g.promptTokens,
      completion_tokens: g.completionTokens,
      total_tokens: g.promptTokens + g.completionTokens,
    },
    system_fingerprint: null,
  });
}

export function embeddingsBody(
  model: string,
  vectors: readonly (readonly number[])[],
  encoding: "float" | "base64",
  promptTokens: number,
): string {
  return JSON.stringify({
    object: "list",
    data: vectors.map((v, index) => ({
      object: "embedding",
      index,
      embedding: encoding === "base64" ? Buffer.from(new Float32Array(v).buffer).toString("base64") : v,
    })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}

export function openAiErrorBody(
  message: string,
  type: string,
  param: string | null,
  code: string | null,
): string {
  return JSON.stringify({ error: { message, type, param, code } });
}
