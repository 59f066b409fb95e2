import { estimateTokens } from "../fake/fake-requests.js";
import { type AwsError, isAwsError, validationError } from "./aws-error.js";
import { constraint, contentText, type Fields } from "./body-checks.js";
import { generate, type Prompt } from "./fake-bedrock-text.js";
import type { Answer, InvokeCall } from "./invoke-bodies.js";
import { minimalInstance } from "./schema-instance.js";
import { converseForcedTool } from "./tool-choice.js";

const TOP_LEVEL = new Set([
  "messages",
  "system",
  "inferenceConfig",
  "toolConfig",
  "guardrailConfig",
  "additionalModelRequestFields",
  "promptVariables",
  "additionalModelResponseFieldPaths",
  "requestMetadata",
  "performanceConfig",
  "serviceTier",
]);
const BLOCKS = new Set([
  "text",
  "image",
  "document",
  "video",
  "toolUse",
  "toolResult",
  "guardContent",
  "cachePoint",
  "reasoningContent",
  "citationsContent",
]);
const IMAGE_FORMATS = new Set(["png", "jpeg", "gif", "webp"]);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Converse's body (the Smithy model `ConverseRequest`, less `modelId`, which is in the path):
 * messages alternate from a user turn, each content block is one member of the ContentBlock
 * union, blobs (`image.source.bytes`…) are base64. The answer is `ConverseResponse`:
 * `{output: {message}, stopReason, usage, metrics}`, with a `toolUse` block when toolChoice is
 * `any` or `tool`.
 */
export function readConverse(modelId: string, f: Fields): InvokeCall | AwsError {
  for (const key of Object.keys(f)) {
    if (!TOP_LEVEL.has(key)) return validationError(`The request contains an unknown member '${key}'.`);
  }
  const messages = f.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return constraint(messages ?? null, "messages", "Member must have length greater than or equal to 1");
  }
  const texts: string[] = [];
  if (f.system !== undefined) {
    if (!Array.isArray(f.system))
      return constraint(f.system, "system", "Member must be a list of SystemContentBlock");
    texts.push(contentText(f.system));
  }
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Fields | null;
    const where = `messages.${i + 1}.member`;
    if (typeof m !== "object" || m === null) return constraint(m, where, "Member must be a Message");
    if (m.role !== "user" && m.role !== "assistant") {
      return constraint(
        m.role ?? null,
        `${where}.role`,
        "Member must satisfy enum value set: [user, assistant]",
      );
    }
    if (i === 0 && m.role !== "user") {
      return validationError(
        "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
      );
    }
    if (!Array.isArray(m.content) || m.content.length === 0) {
      return constraint(
        m.content ?? null,
        `${where}.content`,
        "Member must have length greater than or equal to 1",
      );
    }
    for (let j = 0; j < m.content.length; j++) {
      const problem = checkBlock(m.content[j], `${where}.content.${j + 1}.member`);
      if (problem) return problem;
    }
    texts.push(contentText(m.content));
  }
  const config = (f.inferenceConfig ?? {}) as Fields;
  let maxTokens: number | null = null;
  if (config.maxTokens !== undefined) {
    if (typeof config.maxTokens !== "number" || !Number.isInteger(config.maxTokens) || config.maxTokens < 1) {
      return constraint(
        config.maxTokens,
        "inferenceConfig.maxTokens",
        "Member must have value greater than or equal to 1",
      );
    }
    maxTokens = config.maxTokens;
  }
  for (const name of ["temperature", "topP"] as const) {
    const v = config[name];
    if (v !== undefined && (typeof v !== "number" || v < 0 || v > 1)) {
      return constraint(v, `inferenceConfig.${name}`, "Member must have value between 0 and 1");
    }
  }
  const forced = converseForcedTool(f.toolConfig);
  if (isAwsError(forced)) return forced;

  const text = texts.filter(Boolean).join("\n");
  const prompt: Prompt = { modelId, text, maxTokens };
  return {
    prompt,
    answer(outputTokens, idSuffix): Answer {
      const started = Date.now();
      const inputTokens = estimateTokens(text);
      let content: unknown[];
      let stopReason: string;
      let output: number;
      if (forced) {
        const input = minimalInstance(forced.schema);
        content = [{ toolUse: { toolUseId: `tooluse_${idSuffix}`, name: forced.name, input } }];
        stopReason = "tool_use";
        output = estimateTokens(JSON.stringify(input));
      } else {
        const g = generate(prompt, outputTokens);
        content = [{ text: g.text }];
        stopReason = g.capped ? "max_tokens" : "end_turn";
        output = g.outputTokens;
      }
      const body = JSON.stringify({
        output: { message: { role: "assistant", content } },
        stopReason,
        usage: { inputTokens, outputTokens: output, totalTokens: inputTokens + output },
        metrics: { latencyMs: Date.now() - started },
      });
      return { body, inputTokens, outputTokens: output };
    },
  };
}

/** One ContentBlock: exactly one member of the union, blobs in base64. */
function checkBlock(block: unknown, where: string): AwsError | null {
  if (typeof block !== "object" || block === null || Array.isArray(block)) {
    return constraint(block, where, "Member must be a ContentBlock");
  }
  const keys = Object.keys(block);
  if (keys.length !== 1 || !BLOCKS.has(keys[0]!)) {
    return validationError(
      `The ContentBlock at '${where}' must set exactly one of: ${[...BLOCKS].join(", ")}.`,
    );
  }
  const b = block as Fields;
  if (keys[0] === "text" && typeof b.text !== "string")
    return constraint(b.text, `${where}.text`, "Member must be a string");
  if (keys[0] === "image") {
    const image = b.image as Fields | null;
    if (!IMAGE_FORMATS.has(image?.format as string)) {
      return constraint(
        image?.format ?? null,
        `${where}.image.format`,
        "Member must satisfy enum value set: [png, jpeg, gif, webp]",
      );
    }
    const bytes = (image?.source as Fields | undefined)?.bytes;
    if (typeof bytes !== "string" || bytes.length === 0 || bytes.length % 4 !== 0 || !BASE64.test(bytes)) {
      return validationError(`The image at '${where}.image.source.bytes' is not valid base64.`);
    }
  }
  if (keys[0] === "toolResult" && typeof (b.toolResult as Fields | null)?.toolUseId !== "string") {
    return constraint(null, `${where}.toolResult.toolUseId`, "Member must not be null");
  }
  if (keys[0] === "toolUse") {
    const use = b.toolUse as Fields | null;
    if (typeof use?.toolUseId !== "string" || typeof use.name !== "string") {
      return constraint(null, `${where}.toolUse.toolUseId`, "Member must not be null");
    }
  }
  return null;
}
