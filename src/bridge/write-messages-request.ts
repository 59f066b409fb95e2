import { BridgeError } from "./bridge-error.js";
import { type Conversation, DEFAULT_MAX_TOKENS, type Part, type ToolSpec } from "./conversation.js";
import type { JsonObject } from "./json-fields.js";
import { checkJsonOutputAlone } from "./json-output.js";

const TARGET = "in Anthropic Messages";

/** An Anthropic Messages body for the conversation (`max_tokens` defaults to 4096: Anthropic requires it). */
export function writeMessagesRequest(c: Conversation): JsonObject {
  const body: JsonObject = { model: c.model, max_tokens: c.maxTokens ?? DEFAULT_MAX_TOKENS };
  if (c.system.length === 1) body.system = c.system[0]!.text;
  else if (c.system.length > 1) body.system = c.system.map((s) => ({ type: "text", text: s.text }));
  body.messages = c.turns.map((t) => ({ role: t.role, content: t.parts.map(block) }));
  if (c.temperature) {
    if (c.temperature.value > 1) {
      throw new BridgeError(
        c.temperature.param,
        `above 1 cannot be expressed ${TARGET} (its range is 0 to 1).`,
      );
    }
    body.temperature = c.temperature.value;
  }
  if (c.topP) body.top_p = c.topP.value;
  if (c.stop) body.stop_sequences = c.stop;
  Object.assign(body, tooling(c));
  if (c.user) body.metadata = { user_id: c.user.value };
  return body;
}

function block(p: Part): JsonObject {
  switch (p.type) {
    case "text":
      return { type: "text", text: p.text };
    case "image":
      return {
        type: "image",
        source:
          p.image.kind === "base64"
            ? { type: "base64", media_type: p.image.mediaType, data: p.image.data }
            : { type: "url", url: p.image.url },
      };
    case "tool_call":
      return { type: "tool_use", id: p.id, name: p.name, input: p.input };
    case "tool_result":
      return { type: "tool_result", tool_use_id: p.id, content: p.text };
  }
}

const toolOf = (t: ToolSpec): JsonObject => ({
  name: t.name,
  ...(t.description !== undefined ? { description: t.description } : {}),
  input_schema: t.schema,
});

/** `tools` and `tool_choice`; a JSON answer is a forced tool whose input is the answer. */
function tooling(c: Conversation): JsonObject {
  checkJsonOutputAlone(c, TARGET);
  if (c.jsonOutput) {
    return { tools: [toolOf(c.jsonOutput)], tool_choice: { type: "tool", name: c.jsonOutput.name } };
  }
  const out: JsonObject = {};
  if (c.tools.length > 0) out.tools = c.tools.map(toolOf);
  const noParallel = c.parallelToolCalls?.value === false;
  const choice = c.toolChoice?.value;
  if (choice || noParallel) {
    const type = choice?.type === "required" ? "any" : (choice?.type ?? "auto");
    out.tool_choice = {
      type,
      ...(choice?.type === "tool" ? { name: choice.name } : {}),
      ...(noParallel && type !== "none" ? { disable_parallel_tool_use: true } : {}),
    };
  }
  return out;
}
