/**
 * Bedrock Runtime's own REST paths, which are also the `endpoint` strings of records bound for
 * a Bedrock route: `/model/{modelId}/invoke` (InvokeModel, the model's native body) and
 * `/model/{modelId}/converse` (Converse). The model id is URL-encoded (`encodeURIComponent`),
 * exactly as the SDK writes it on the wire, so ids with `:` and ARNs with `/` fit in one segment.
 */
export type BedrockOperation = "invoke" | "converse";

export interface BedrockTarget {
  operation: BedrockOperation;
  /** Decoded: `anthropic.claude-3-haiku-20240307-v1:0`, or an ARN. */
  modelId: string;
}

const PATH = /^\/model\/([^/]+)\/(invoke|converse)$/;

/** The operation and model of a Bedrock endpoint path; null when it is not one. */
export function parseBedrockEndpoint(endpoint: string): BedrockTarget | null {
  const match = PATH.exec(endpoint);
  if (!match) return null;
  let modelId: string;
  try {
    modelId = decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
  if (modelId === "") return null;
  return { operation: match[2] as BedrockOperation, modelId };
}

/** The endpoint path for a model and operation (the inverse of parseBedrockEndpoint). */
export function bedrockEndpoint(operation: BedrockOperation, modelId: string): string {
  return `/model/${encodeURIComponent(modelId)}/${operation}`;
}
