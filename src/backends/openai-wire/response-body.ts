/** A Responses API `response` object holding one text message, as OpenAI writes it. */
export interface ResponseFields {
  /** Unique per answer; `resp_` and `msg_` are added. */
  idSuffix: string;
  /** Unix seconds. */
  created: number;
  model: string;
  instructions: string | null;
  maxOutputTokens: number | null;
  text: string;
  /** True when `max_output_tokens` cut the answer: the response is then `incomplete`. */
  capped: boolean;
  inputTokens: number;
  outputTokens: number;
}

export function responseBody(r: ResponseFields): string {
  const status = r.capped ? "incomplete" : "completed";
  return JSON.stringify({
    id: `resp_${r.idSuffix}`,
    object: "response",
    created_at: r.created,
    status,
    error: null,
    incomplete_details: r.capped ? { reason: "max_output_tokens" } : null,
    instructions: r.instructions,
    max_output_tokens: r.maxOutputTokens,
    model: r.model,
    output: [
      {
        type: "message",
        id: `msg_${r.idSuffix}`,
        status,
        role: "assistant",
        content: [{ type: "output_text", text: r.text, annotations: [] }],
      },
    ],
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    usage: {
      input_tokens: r.inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: r.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: r.inputTokens + r.outputTokens,
    },
  });
}
