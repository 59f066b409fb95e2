import { BridgeError } from "./bridge-error.js";
import type { JsonObject } from "./json-fields.js";

/**
 * A Bedrock InvokeModel body for Claude (`anthropic_version` + `messages`) as an Anthropic
 * Messages body: the version header field goes, the model (from the path) comes. Claude on
 * Bedrock answers in the Messages shape, so its answer needs no translation back.
 */
export function messagesFromClaudeInvoke(body: JsonObject, modelId: string, target: string): JsonObject {
  if (typeof body.anthropic_version !== "string" || !Array.isArray(body.messages)) {
    throw new BridgeError(
      "",
      `the body is in the native format of ${familyOf(modelId)}, which only a bedrock route can run; only Claude bodies (anthropic_version and messages) can be bridged ${target}.`,
    );
  }
  if (body.anthropic_beta !== undefined) {
    throw new BridgeError("anthropic_beta", `cannot be expressed ${target}.`);
  }
  const { anthropic_version: _version, ...rest } = body;
  return { model: modelId, ...rest };
}

const FAMILIES: Record<string, string> = {
  anthropic: "Anthropic Claude",
  meta: "Meta Llama",
  amazon: "Amazon (Titan, Nova)",
  cohere: "Cohere",
  mistral: "Mistral",
  ai21: "AI21",
  deepseek: "DeepSeek",
  writer: "Writer",
  qwen: "Qwen",
};

/** `us.meta.llama3-…` or an ARN ending in one → "Meta Llama": the model family, for messages. */
export function familyOf(modelId: string): string {
  const id = modelId.slice(modelId.lastIndexOf("/") + 1);
  const parts = id.split(".");
  const provider =
    parts.length > 2 && /^(us|eu|apac|global|us-gov|jp|au|ca)$/.test(parts[0]!) ? parts[1]! : parts[0]!;
  const family = FAMILIES[provider];
  return family ? `${family} ('${modelId}')` : `the model '${modelId}'`;
}
