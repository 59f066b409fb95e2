/**
 * `chat.completion` and `text_completion` objects, byte for byte as OpenAI writes them: key
 * order, zeroed fields (`refusal`, `logprobs`, `annotations`) and usage included, since clients
 * and result files compare them as text.
 */

/** Why generation ended, in OpenAI's words: `length` when max_tokens (or the context) cut it. */
export type FinishReason = "stop" | "length";

export interface GeneratedChoice {
  text: string;
  finishReason: FinishReason;
}

export interface CompletionHeader {
  /** Unique per answer; the object type adds its prefix (`chatcmpl-`, `cmpl-`). */
  idSuffix: string;
  /** Unix seconds. */
  created: number;
  model: string;
  systemFingerprint: string | null;
}

export interface CompletionTokens {
  promptTokens: number;
  /** Over all choices. */
  completionTokens: number;
}

/**
 * Which zeroed token-detail counters a chat usage carries: `basic` the two that clients read
 * (`cached_tokens`, `reasoning_tokens`), `full` every one of today's API (audio and predicted
 * outputs too). Neither backend caches, reasons or takes audio, so all are 0.
 */
export type UsageDetails = "basic" | "full";

export function chatCompletionBody(
  header: CompletionHeader,
  choices: readonly GeneratedChoice[],
  tokens: CompletionTokens,
  details: UsageDetails,
): string {
  return JSON.stringify({
    id: `chatcmpl-${header.idSuffix}`,
    object: "chat.completion",
    created: header.created,
    model: header.model,
    choices: choices.map((choice, index) => ({
      index,
      message: { role: "assistant", content: choice.text, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: choice.finishReason,
    })),
    usage: {
      ...usageCounts(tokens),
      ...(details === "basic" ? BASIC_DETAILS : FULL_DETAILS),
    },
    service_tier: "default",
    system_fingerprint: header.systemFingerprint,
  });
}

export function textCompletionBody(
  header: CompletionHeader,
  choices: readonly GeneratedChoice[],
  tokens: CompletionTokens,
): string {
  return JSON.stringify({
    id: `cmpl-${header.idSuffix}`,
    object: "text_completion",
    created: header.created,
    model: header.model,
    choices: choices.map((choice, index) => ({
      text: choice.text,
      index,
      logprobs: null,
      finish_reason: choice.finishReason,
    })),
    usage: usageCounts(tokens),
    system_fingerprint: header.systemFingerprint,
  });
}

function usageCounts(tokens: CompletionTokens) {
  return {
    prompt_tokens: tokens.promptTokens,
    completion_tokens: tokens.completionTokens,
    total_tokens: tokens.promptTokens + tokens.completionTokens,
  };
}

const BASIC_DETAILS = {
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
};

const FULL_DETAILS = {
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};
