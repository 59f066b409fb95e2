/** What an export shows of one model response: its text and token counts. */
export interface ResponseOutput {
  /** Chat content, completion text, Responses `output_text`, or an embedding as a JSON array. */
  output: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

/**
 * Reads the answer out of a response body in any of the shapes Docket's endpoints return:
 * chat completions (`choices[0].message.content`), completions (`choices[0].text`), the
 * Responses API (`output_text`, or its `output[].content[]` text parts), embeddings (the
 * vector as a JSON array; several inputs give an array of arrays) and Anthropic messages.
 */
export function responseOutput(body: unknown): ResponseOutput {
  const b = isObject(body) ? body : {};
  const usage = isObject(b.usage) ? b.usage : {};
  return {
    output: outputText(b),
    inputTokens: count(usage.prompt_tokens ?? usage.input_tokens),
    outputTokens: count(usage.completion_tokens ?? usage.output_tokens),
  };
}

function outputText(b: Record<string, unknown>): string | null {
  if (Array.isArray(b.choices)) {
    const first = b.choices[0];
    if (!isObject(first)) return null;
    if (isObject(first.message)) {
      const content = first.message.content;
      if (typeof content === "string") return content;
      if (typeof first.message.refusal === "string") return first.message.refusal;
      return content === null || content === undefined ? null : JSON.stringify(content);
    }
    return typeof first.text === "string" ? first.text : null;
  }
  if (typeof b.output_text === "string") return b.output_text;
  if (Array.isArray(b.output))
    return textParts(b.output.flatMap((item) => (isObject(item) ? item.content : [])));
  if (b.object === "list" && Array.isArray(b.data)) {
    const vectors = b.data.map((d) => (isObject(d) ? d.embedding : null));
    return JSON.stringify(vectors.length === 1 ? vectors[0] : vectors);
  }
  if (b.type === "message" && Array.isArray(b.content)) return textParts(b.content);
  return null;
}

/** The text of `output_text` / `text` content parts, joined. */
function textParts(parts: unknown): string | null {
  if (!Array.isArray(parts)) return null;
  const texts = parts
    .filter(
      (p): p is Record<string, unknown> => isObject(p) && (p.type === "output_text" || p.type === "text"),
    )
    .map((p) => p.text)
    .filter((t): t is string => typeof t === "string");
  return texts.length > 0 ? texts.join("") : null;
}

function count(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
