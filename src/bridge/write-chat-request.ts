import type { Conversation, Part } from "./conversation.js";
import type { JsonObject } from "./json-fields.js";

/**
 * An OpenAI chat-completions body for the conversation. A user turn's tool results become
 * `tool` messages (which must follow the assistant's calls), then its other parts a user message.
 * The token cap goes as `max_tokens`, which OpenAI-compatible servers (vLLM, llama.cpp) all read.
 */
export function writeChatRequest(c: Conversation): JsonObject {
  const messages: JsonObject[] = [];
  if (c.system.length === 1) messages.push({ role: "system", content: c.system[0]!.text });
  else if (c.system.length > 1) {
    messages.push({ role: "system", content: c.system.map((s) => ({ type: "text", text: s.text })) });
  }
  for (const turn of c.turns) {
    if (turn.role === "assistant") messages.push(assistantMessage(turn.parts));
    else messages.push(...userMessages(turn.parts));
  }
  const body: JsonObject = { model: c.model, messages };
  if (c.maxTokens !== null) body.max_tokens = c.maxTokens;
  if (c.temperature) body.temperature = c.temperature.value;
  if (c.topP) body.top_p = c.topP.value;
  if (c.stop) body.stop = c.stop;
  if (c.tools.length > 0) {
    body.tools = c.tools.map((t) => ({
      type: "function",
      function: {
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        parameters: t.schema,
      },
    }));
  }
  const choice = c.toolChoice?.value;
  if (choice) {
    body.tool_choice =
      choice.type === "tool" ? { type: "function", function: { name: choice.name } } : choice.type;
  }
  if (c.parallelToolCalls) body.parallel_tool_calls = c.parallelToolCalls.value;
  if (c.user) body.user = c.user.value;
  return body;
}

function assistantMessage(parts: Part[]): JsonObject {
  const text = parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
  const calls = parts.flatMap((p) =>
    p.type === "tool_call"
      ? [{ id: p.id, type: "function", function: { name: p.name, arguments: JSON.stringify(p.input) } }]
      : [],
  );
  return {
    role: "assistant",
    content: text === "" && calls.length > 0 ? null : text,
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  };
}

function userMessages(parts: Part[]): JsonObject[] {
  const out: JsonObject[] = [];
  for (const p of parts)
    if (p.type === "tool_result") out.push({ role: "tool", tool_call_id: p.id, content: p.text });
  const rest = parts.filter((p) => p.type === "text" || p.type === "image");
  if (rest.length === 1 && rest[0]!.type === "text") out.push({ role: "user", content: rest[0]!.text });
  else if (rest.length > 0) out.push({ role: "user", content: rest.map(contentPart) });
  return out;
}

function contentPart(p: Part): JsonObject {
  if (p.type === "text") return { type: "text", text: p.text };
  if (p.type !== "image") throw new Error(`unexpected ${p.type} part in user content`);
  const url = p.image.kind === "base64" ? `data:${p.image.mediaType};base64,${p.image.data}` : p.image.url;
  return { type: "image_url", image_url: { url } };
}
