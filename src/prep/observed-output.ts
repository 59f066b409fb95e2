import { readJsonl } from "./readers/jsonl-reader.js";

export interface ObservedOutput {
  /** Replies that reported usage. */
  samples: number;
  averageOutputTokens: number | null;
}

/**
 * Average output tokens over a sample of real replies, to estimate better than max_tokens.
 * Accepts the result lines of OpenAI batches (`response.body.usage.completion_tokens`),
 * Anthropic message batches (`result.message.usage.output_tokens`), Bedrock batch output
 * (`modelOutput.usage.output_tokens`) and bare chat completion or message responses.
 */
export async function readObservedOutput(path: string): Promise<ObservedOutput> {
  let samples = 0;
  let total = 0;
  for await (const item of readJsonl(path)) {
    if (item.kind !== "row") continue;
    const tokens = outputTokensOf(item.fields);
    if (tokens === null) continue;
    samples++;
    total += tokens;
  }
  return { samples, averageOutputTokens: samples > 0 ? total / samples : null };
}

export function outputTokensOf(line: Record<string, unknown>): number | null {
  const candidates = [
    at(line, ["response", "body", "usage", "completion_tokens"]),
    at(line, ["result", "message", "usage", "output_tokens"]),
    at(line, ["modelOutput", "usage", "output_tokens"]),
    at(line, ["usage", "completion_tokens"]),
    at(line, ["usage", "output_tokens"]),
  ];
  const hit = candidates.find((v) => typeof v === "number" && Number.isFinite(v) && v >= 0);
  return typeof hit === "number" ? hit : null;
}

function at(value: unknown, path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
