import { estimateTokens } from "../fake/fake-requests.js";
import { type AwsError, isAwsError, malformedInput } from "./aws-error.js";
import { checkKeys, contentText, type Fields, numberIn, positiveInteger } from "./body-checks.js";
import { generate, type Prompt } from "./fake-bedrock-text.js";
import type { ModelFamily } from "./model-family.js";
import { minimalInstance } from "./schema-instance.js";
import { converseForcedTool, type ForcedTool } from "./tool-choice.js";

/** A checked InvokeModel request: its prompt, and how to answer it in its family's shape. */
export interface InvokeCall {
  prompt: Prompt;
  answer(outputTokens: number, idSuffix: string): Answer;
}

export interface Answer {
  body: string;
  inputTokens: number;
  outputTokens: number;
}

/** InvokeModel's body for one model family, checked the way that family's schema is on Bedrock. */
export function readInvoke(family: ModelFamily, modelId: string, fields: Fields): InvokeCall | AwsError {
  switch (family) {
    case "anthropic":
      return readAnthropic(modelId, fields);
    case "llama":
      return readLlama(modelId, fields);
    case "titan-text":
      return readTitan(modelId, fields);
    case "nova":
      return readNova(modelId, fields);
  }
}

const ANTHROPIC_VERSION = "bedrock-2023-05-31";
const ANTHROPIC_KEYS = [
  "anthropic_beta",
  "system",
  "stop_sequences",
  "temperature",
  "top_p",
  "top_k",
  "tools",
  "tool_choice",
  "thinking",
  "metadata",
];

/**
 * Claude's Messages body on Bedrock: Anthropic's Messages API without `model` (the path names
 * it) and with `anthropic_version: "bedrock-2023-05-31"`; the answer is a Messages `message`.
 */
function readAnthropic(modelId: string, f: Fields): InvokeCall | AwsError {
  const keys = checkKeys(f, ["anthropic_version", "max_tokens", "messages"], ANTHROPIC_KEYS);
  if (keys) return keys;
  if (f.anthropic_version !== ANTHROPIC_VERSION) {
    return malformedInput(
      `#/anthropic_version: ${JSON.stringify(f.anthropic_version)} is not a valid enum value`,
    );
  }
  const maxTokens = positiveInteger(f.max_tokens, "max_tokens");
  if (isAwsError(maxTokens)) return maxTokens;
  const range = numberIn(f.temperature, "temperature", 0, 1) ?? numberIn(f.top_p, "top_p", 0, 1);
  if (range) return range;
  if (!Array.isArray(f.messages) || f.messages.length === 0) {
    return malformedInput("#/messages: expected minimum item count: 1, found: 0");
  }
  for (let i = 0; i < f.messages.length; i++) {
    const m = f.messages[i] as Fields | null;
    if (typeof m !== "object" || m === null || (m.role !== "user" && m.role !== "assistant")) {
      return malformedInput(`#/messages/${i}/role: must be one of [user, assistant]`);
    }
    if (typeof m.content !== "string" && !Array.isArray(m.content)) {
      return malformedInput(`#/messages/${i}/content: expected type: String or JSONArray`);
    }
  }
  const forced = anthropicForcedTool(f.tools, f.tool_choice);
  if (isAwsError(forced)) return forced;
  const system = contentText(f.system);
  const text = [system, ...f.messages.map((m) => contentText((m as Fields).content))]
    .filter(Boolean)
    .join("\n");
  const prompt: Prompt = { modelId, text, maxTokens };
  const model = modelId.replace(/^.*anthropic\./, "").replace(/-v\d+(:\d+)?$/, "");
  return {
    prompt,
    answer(outputTokens, idSuffix) {
      const message = (content: unknown[], stopReason: string, input: number, output: number) =>
        JSON.stringify({
          id: `msg_bdrk_${idSuffix}`,
          type: "message",
          role: "assistant",
          model,
          content,
          stop_reason: stopReason,
          stop_sequence: null,
          usage: { input_tokens: input, output_tokens: output },
        });
      if (forced) {
        const input = minimalInstance(forced.schema);
        const tokens = estimateTokens(JSON.stringify(input));
        const use = { type: "tool_use", id: `toolu_bdrk_${idSuffix}`, name: forced.name, input };
        return {
          body: message([use], "tool_use", estimateTokens(text), tokens),
          inputTokens: estimateTokens(text),
          outputTokens: tokens,
        };
      }
      const g = generate(prompt, outputTokens);
      const body = message(
        [{ type: "text", text: g.text }],
        g.capped ? "max_tokens" : "end_turn",
        g.inputTokens,
        g.outputTokens,
      );
      return { body, inputTokens: g.inputTokens, outputTokens: g.outputTokens };
    },
  };
}

/** Anthropic's `tool_choice` `{type: "any"}` or `{type: "tool", name}` forces a call. */
function anthropicForcedTool(tools: unknown, choice: unknown): ForcedTool | null | AwsError {
  if (tools === undefined) return null;
  if (!Array.isArray(tools)) return malformedInput("#/tools: expected type: JSONArray");
  const specs: ForcedTool[] = [];
  for (let i = 0; i < tools.length; i++) {
    const t = tools[i] as Fields | null;
    if (typeof t?.name !== "string") return malformedInput(`#/tools/${i}: required key [name] not found`);
    specs.push({ name: t.name, schema: t.input_schema });
  }
  const c = choice as Fields | undefined;
  if (c === undefined || c === null || c.type === "auto" || c.type === "none") return null;
  if (c.type === "any") return specs[0] ?? null;
  if (c.type === "tool") {
    const found = specs.find((s) => s.name === c.name);
    return found ?? malformedInput(`#/tool_choice/name: tool '${String(c.name)}' is not in tools`);
  }
  return malformedInput("#/tool_choice/type: must be one of [auto, any, tool, none]");
}

/** Meta Llama: `{prompt, max_gen_len, temperature, top_p}` → `{generation, …_token_count, stop_reason}`. */
function readLlama(modelId: string, f: Fields): InvokeCall | AwsError {
  const keys = checkKeys(f, ["prompt"], ["max_gen_len", "temperature", "top_p", "images"]);
  if (keys) return keys;
  if (typeof f.prompt !== "string") return malformedInput(`#/prompt: expected type: String`);
  const maxTokens = positiveInteger(f.max_gen_len, "max_gen_len");
  if (isAwsError(maxTokens)) return maxTokens;
  const range = numberIn(f.temperature, "temperature", 0, 1) ?? numberIn(f.top_p, "top_p", 0, 1);
  if (range) return range;
  const prompt: Prompt = { modelId, text: f.prompt, maxTokens };
  return {
    prompt,
    answer(outputTokens) {
      const g = generate(prompt, outputTokens);
      const body = JSON.stringify({
        generation: g.text,
        prompt_token_count: g.inputTokens,
        generation_token_count: g.outputTokens,
        stop_reason: g.capped ? "length" : "stop",
      });
      return { body, inputTokens: g.inputTokens, outputTokens: g.outputTokens };
    },
  };
}

/** Amazon Titan Text: `{inputText, textGenerationConfig}` → `{inputTextTokenCount, results}`. */
function readTitan(modelId: string, f: Fields): InvokeCall | AwsError {
  const keys = checkKeys(f, ["inputText"], ["textGenerationConfig"]);
  if (keys) return keys;
  if (typeof f.inputText !== "string") return malformedInput(`#/inputText: expected type: String`);
  const config = (f.textGenerationConfig ?? {}) as Fields;
  if (typeof config !== "object" || Array.isArray(config)) {
    return malformedInput("#/textGenerationConfig: expected type: JSONObject");
  }
  const configKeys = checkKeys(config, [], ["temperature", "topP", "maxTokenCount", "stopSequences"]);
  if (configKeys) return configKeys;
  const maxTokens = positiveInteger(config.maxTokenCount, "textGenerationConfig/maxTokenCount");
  if (isAwsError(maxTokens)) return maxTokens;
  const prompt: Prompt = { modelId, text: f.inputText, maxTokens };
  return {
    prompt,
    answer(outputTokens) {
      const g = generate(prompt, outputTokens);
      const body = JSON.stringify({
        inputTextTokenCount: g.inputTokens,
        results: [
          {
            tokenCount: g.outputTokens,
            outputText: g.text,
            completionReason: g.capped ? "LENGTH" : "FINISH",
          },
        ],
      });
      return { body, inputTokens: g.inputTokens, outputTokens: g.outputTokens };
    },
  };
}

/**
 * Amazon Nova: `{schemaVersion: "messages-v1", system: [{text}], messages: [{role, content:
 * [{text}]}], inferenceConfig: {max_new_tokens, temperature, top_p, top_k, stopSequences},
 * toolConfig}` → `{output: {message}, stopReason, usage}` (Converse's shapes, its own caps).
 */
function readNova(modelId: string, f: Fields): InvokeCall | AwsError {
  const keys = checkKeys(f, ["messages"], ["schemaVersion", "system", "inferenceConfig", "toolConfig"]);
  if (keys) return keys;
  if (!Array.isArray(f.messages) || f.messages.length === 0) {
    return malformedInput("#/messages: expected minimum item count: 1, found: 0");
  }
  const config = (f.inferenceConfig ?? {}) as Fields;
  const maxTokens = positiveInteger(config.max_new_tokens, "inferenceConfig/max_new_tokens");
  if (isAwsError(maxTokens)) return maxTokens;
  const forced = converseForcedTool(f.toolConfig);
  if (isAwsError(forced)) return forced;
  const text = [contentText(f.system), ...f.messages.map((m) => contentText((m as Fields | null)?.content))]
    .filter(Boolean)
    .join("\n");
  const prompt: Prompt = { modelId, text, maxTokens };
  return {
    prompt,
    answer(outputTokens, idSuffix) {
      const g = forced ? null : generate(prompt, outputTokens);
      const input = forced ? minimalInstance(forced.schema) : null;
      const content = forced
        ? [{ toolUse: { toolUseId: `tooluse_${idSuffix}`, name: forced.name, input } }]
        : [{ text: g!.text }];
      const inputTokens = estimateTokens(text);
      const output = g ? g.outputTokens : estimateTokens(JSON.stringify(input));
      const body = JSON.stringify({
        output: { message: { role: "assistant", content } },
        stopReason: forced ? "tool_use" : g!.capped ? "max_tokens" : "end_turn",
        usage: { inputTokens, outputTokens: output, totalTokens: inputTokens + output },
      });
      return { body, inputTokens, outputTokens: output };
    },
  };
}
