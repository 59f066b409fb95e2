/**
 * Words that every truncated answer below holds somewhere: a body without any of them is not read
 * further, so choosing `truncated` records costs a substring search per success, not a parse.
 */
const HINTS = /length|max_tokens|max_output_tokens|LENGTH|MAX_TOKENS/;

/**
 * Whether a successful answer stopped because it ran out of output tokens, in any dialect Docket
 * stores: OpenAI chat and text completions (`finish_reason: "length"` on a choice), the Responses
 * API (`status: "incomplete"` for `max_output_tokens`), Anthropic Messages and Claude on Bedrock
 * (`stop_reason: "max_tokens"`), Bedrock Converse (`stopReason: "max_tokens"`), and Bedrock's
 * other InvokeModel families: Llama (`stop_reason: "length"`), Mistral (`outputs[].stop_reason`),
 * Titan (`results[].completionReason: "LENGTH"`) and Cohere (`finish_reason: "MAX_TOKENS"`).
 */
export function isTruncated(body: string): boolean {
  if (!HINTS.test(body)) return false;
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return false;
  }
  if (!isObject(answer)) return false;
  if (answer.stop_reason === "max_tokens" || answer.stop_reason === "length") return true;
  if (answer.stopReason === "max_tokens") return true;
  if (answer.finish_reason === "MAX_TOKENS") return true;
  if (answer.status === "incomplete" && isObject(answer.incomplete_details)) {
    return answer.incomplete_details.reason === "max_output_tokens";
  }
  return (
    some(answer.choices, (c) => c.finish_reason === "length") ||
    some(answer.outputs, (o) => o.stop_reason === "length") ||
    some(answer.results, (r) => r.completionReason === "LENGTH") ||
    some(answer.generations, (g) => g.finish_reason === "MAX_TOKENS")
  );
}

function some(list: unknown, test: (item: Record<string, unknown>) => boolean): boolean {
  return Array.isArray(list) && list.some((item) => isObject(item) && test(item));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
