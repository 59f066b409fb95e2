import { writeFileSync } from "node:fs";

/** An OpenAI batch input file of `n` chat requests with custom ids `req-0000…`. */
export function chatBatchLines(
  n: number,
  opts: { model?: string; mark?: (i: number) => string | null } = {},
): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `req-${String(i).padStart(5, "0")}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: {
        model: opts.model ?? "fake-model",
        max_tokens: 8,
        messages: [
          { role: "user", content: `${opts.mark?.(i) ?? ""}Question number ${i}: what is ${i} + ${i}?` },
        ],
      },
    }),
  );
}

export function writeLines(path: string, lines: string[]): string {
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

export function parseJsonl<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split("\n")
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as T);
}
