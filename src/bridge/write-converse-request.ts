import { BridgeError } from "./bridge-error.js";
import type { Conversation, Part, ToolSpec } from "./conversation.js";
import type { JsonObject } from "./json-fields.js";
import { checkJsonOutputAlone } from "./json-output.js";

const TARGET = "in Bedrock Converse";
const IMAGE_FORMATS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

/**
 * A Bedrock Converse body as the REST API takes it (the model is in the path, not the body;
 * image bytes are base64 on the wire). Without a token cap, the model's default applies.
 */
export function writeConverseRequest(c: Conversation): JsonObject {
  const body: JsonObject = {
    messages: c.turns.map((t) => ({ role: t.role, content: t.parts.map(block) })),
  };
  if (c.system.length > 0) body.system = c.system.map((s) => ({ text: s.text }));
  const inference: JsonObject = {};
  if (c.maxTokens !== null) inference.maxTokens = c.maxTokens;
  if (c.temperature) inference.temperature = c.temperature.value;
  if (c.topP) inference.topP = c.topP.value;
  if (c.stop) inference.stopSequences = c.stop;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  const toolConfig = tooling(c);
  if (toolConfig) body.toolConfig = toolConfig;
  if (c.user) throw new BridgeError(c.user.param, `cannot be expressed ${TARGET}.`);
  if (c.parallelToolCalls?.value === false) {
    const p = c.parallelToolCalls.param;
    throw new BridgeError(
      p,
      `false cannot be expressed ${TARGET} (it has no switch for parallel tool calls).`,
    );
  }
  return body;
}

function block(p: Part): JsonObject {
  switch (p.type) {
    case "text":
      return { text: p.text };
    case "image": {
      if (p.image.kind === "url") {
        throw new BridgeError(
          p.param,
          `image URLs cannot be expressed ${TARGET}; send the image as a base64 data URL.`,
        );
      }
      const format = IMAGE_FORMATS[p.image.mediaType];
      if (!format) {
        throw new BridgeError(
          p.param,
          `${p.image.mediaType} images cannot be expressed ${TARGET} (png, jpeg, gif or webp).`,
        );
      }
      return { image: { format, source: { bytes: p.image.data } } };
    }
    case "tool_call":
      return { toolUse: { toolUseId: p.id, name: p.name, input: p.input } };
    case "tool_result":
      return { toolResult: { toolUseId: p.id, content: [{ text: p.text }] } };
  }
}

const toolOf = (t: ToolSpec): JsonObject => ({
  toolSpec: {
    name: t.name,
    ...(t.description !== undefined ? { description: t.description } : {}),
    inputSchema: { json: t.schema },
  },
});

function tooling(c: Conversation): JsonObject | null {
  checkJsonOutputAlone(c, TARGET);
  if (c.jsonOutput) {
    return { tools: [toolOf(c.jsonOutput)], toolChoice: { tool: { name: c.jsonOutput.name } } };
  }
  const choice = c.toolChoice;
  if (choice?.value.type === "none") {
    throw new BridgeError(choice.param, `"none" cannot be expressed ${TARGET}; leave the tools out instead.`);
  }
  if (c.tools.length === 0) {
    // OpenAI itself refuses a tool_choice without tools; Converse would have nowhere to put it.
    if (choice) throw new BridgeError(choice.param, "is only allowed together with 'tools'.");
    return null;
  }
  const toolChoice =
    choice?.value.type === "required"
      ? { any: {} }
      : choice?.value.type === "tool"
        ? { tool: { name: choice.value.name } }
        : choice
          ? { auto: {} }
          : undefined;
  return { tools: c.tools.map(toolOf), ...(toolChoice ? { toolChoice } : {}) };
}
