/**
 * Which request dialect a record's endpoint is in, and which dialects each backend type speaks
 * natively. A record goes to its backend untouched (byte-exact) when the backend speaks its
 * endpoint; otherwise bridging translates it (plan-bridge.ts).
 */
export type Dialect =
  | { kind: "chat" }
  | { kind: "messages" }
  | { kind: "invoke"; modelId: string }
  | { kind: "converse"; modelId: string }
  | { kind: "other"; endpoint: string };

/** The dialect a backend type is bridged to, when a record's endpoint is not native to it. */
export type TargetDialect = "chat" | "messages" | "converse";

const OPENAI_ENDPOINTS = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses"];

/** Bedrock Runtime's REST paths (the model id URL-encoded, as the AWS SDK sends it). */
const BEDROCK_PATH = /^\/model\/([^/]+)\/(invoke|converse)$/;

const NATIVE: Record<string, (endpoint: string) => boolean> = {
  openai: (e) => OPENAI_ENDPOINTS.includes(e),
  llamacpp: (e) => e === "/v1/chat/completions" || e === "/v1/completions" || e === "/v1/embeddings",
  anthropic: (e) => e === "/v1/messages",
  bedrock: (e) => BEDROCK_PATH.test(e),
  // Provider batch APIs take what their on-demand APIs take; anything else is bridged into
  // that dialect when packed (docs/provider-batch.md, "Bridging").
  "openai-batch": (e) => OPENAI_ENDPOINTS.includes(e),
  "anthropic-batch": (e) => e === "/v1/messages",
  "bedrock-batch": (e) => BEDROCK_PATH.test(e),
};

const TARGET: Record<string, TargetDialect> = {
  openai: "chat",
  llamacpp: "chat",
  anthropic: "messages",
  bedrock: "converse",
  "openai-batch": "chat",
  "anthropic-batch": "messages",
  "bedrock-batch": "converse",
};

/** A backend type this module does not know is left alone: its records go as they are. */
export function speaksNatively(backendType: string, endpoint: string): boolean {
  const native = NATIVE[backendType];
  return native ? native(endpoint) : true;
}

export function targetDialect(backendType: string): TargetDialect | null {
  return TARGET[backendType] ?? null;
}

export function dialectOf(endpoint: string): Dialect {
  if (endpoint === "/v1/chat/completions") return { kind: "chat" };
  if (endpoint === "/v1/messages") return { kind: "messages" };
  const bedrock = BEDROCK_PATH.exec(endpoint);
  if (bedrock) {
    const modelId = safeDecode(bedrock[1]!);
    return bedrock[2] === "invoke" ? { kind: "invoke", modelId } : { kind: "converse", modelId };
  }
  return { kind: "other", endpoint };
}

/** Bedrock's path for a model (ids and ARNs hold `:` and `/`, so they are encoded). */
export function bedrockPath(modelId: string, operation: "invoke" | "converse"): string {
  return `/model/${encodeURIComponent(modelId)}/${operation}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
