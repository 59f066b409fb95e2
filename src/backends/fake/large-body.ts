import type { FakeEndpoint } from "./fake-requests.js";

/** Characters of a discarded body kept to find its model in. */
export const KEPT_PREFIX_CHARS = 64 * 1024;

/**
 * What a discarded (too large to parse) request is answered as: the same endpoint and model
 * (read from the body's first characters, where clients put it), with an empty prompt. The
 * answer is still a real one in the wire format; only its content ignores the payload.
 */
export function standInBody(endpoint: FakeEndpoint, prefix: string): string {
  const model = /"model"\s*:\s*"([^"\\]{1,200})"/.exec(prefix)?.[1] ?? "";
  switch (endpoint) {
    case "chat":
      return JSON.stringify({ model, messages: [{ role: "user", content: "" }] });
    case "completions":
      return JSON.stringify({ model, prompt: "" });
    case "embeddings":
      return JSON.stringify({ model, input: "" });
    case "responses":
      return JSON.stringify({ model, input: "" });
  }
}
