import { BridgeError } from "./bridge-error.js";
import type { Conversation, Part, Setting, ToolChoice, ToolSpec, Turn } from "./conversation.js";
import { Fields, type JsonObject, pathOf } from "./json-fields.js";

/**
 * Members of an Anthropic Messages body that bridging reads; every other one (`top_k`,
 * `cache_control`, `service_tier`, `container`, `mcp_servers`…) is refused by name.
 */
const KNOWN = new Set([
  "model",
  "messages",
  "max_tokens",
  "system",
  "stop_sequences",
  "temperature",
  "top_p",
  "tools",
  "tool_choice",
  "metadata",
  "stream",
  "thinking",
]);

/** Reads an Anthropic Messages body; `target` ends refusals ("in OpenAI chat completions"). */
export function readMessagesRequest(body: JsonObject, target: string): Conversation {
  const f = new Fields(body, "");
  f.onlyKnown(KNOWN, target);
  if (f.boolean("stream") === true) f.refuse("stream", "must be false: a batch answer is never streamed.");
  const thinking = f.child("thinking");
  if (thinking && thinking.raw("type") !== "disabled")
    f.refuse("thinking", `(extended thinking) cannot be expressed ${target}.`);
  const metadata = f.child("metadata");
  metadata?.onlyKnown(new Set(["user_id"]), target);
  const maxTokens = f.number("max_tokens");
  if (maxTokens === undefined) throw new BridgeError("max_tokens", "is required.");
  const tools = (f.array("tools") ?? []).map((t, i) => readTool(Fields.of(t, pathOf("tools", i)), target));
  const choice = readToolChoice(f, target);
  return {
    model: f.requiredString("model"),
    system: readSystem(f, target),
    turns: (f.array("messages") ?? f.refuse("messages", "is required.")).map((m, i) =>
      readTurn(Fields.of(m, pathOf("messages", i)), target),
    ),
    maxTokens,
    temperature: setting(f, "temperature", f.number("temperature")),
    topP: setting(f, "top_p", f.number("top_p")),
    stop: readStop(f),
    tools,
    toolChoice: choice.choice,
    parallelToolCalls: choice.parallel,
    jsonOutput: null,
    user: metadata?.has("user_id")
      ? { value: metadata.requiredString("user_id"), param: metadata.at("user_id") }
      : null,
  };
}

function setting<T>(f: Fields, key: string, value: T | undefined): Setting<T> | null {
  return value === undefined ? null : { value, param: f.at(key) };
}

function readSystem(f: Fields, target: string): Conversation["system"] {
  const system = f.raw("system");
  if (system === undefined) return [];
  if (typeof system === "string") return system === "" ? [] : [{ text: system, param: "system" }];
  return (f.array("system") ?? []).map((b, i) => {
    const block = Fields.of(b, pathOf("system", i));
    if (block.requiredString("type") !== "text") block.refuse("type", 'must be "text".');
    block.onlyKnown(new Set(["type", "text"]), target);
    return { text: block.requiredString("text"), param: block.path };
  });
}

function readTurn(m: Fields, target: string): Turn {
  m.onlyKnown(new Set(["role", "content"]), target);
  const role = m.requiredString("role");
  if (role !== "user" && role !== "assistant") m.refuse("role", 'must be "user" or "assistant".');
  const content = m.raw("content");
  if (typeof content === "string") return { role, parts: [{ type: "text", text: content }] };
  const blocks = m.array("content") ?? m.refuse("content", "is required.");
  return {
    role,
    parts: blocks.map((b, i) => readBlock(Fields.of(b, pathOf(m.at("content"), i)), role, target)),
  };
}

function readBlock(b: Fields, role: Turn["role"], target: string): Part {
  const type = b.requiredString("type");
  const allowed = role === "user" ? ["text", "image", "tool_result"] : ["text", "tool_use"];
  if (!allowed.includes(type))
    b.refuse("type", `"${type}" blocks in ${role} turns cannot be expressed ${target}.`);
  switch (type) {
    case "text":
      b.onlyKnown(new Set(["type", "text"]), target);
      return { type: "text", text: b.requiredString("text") };
    case "image": {
      b.onlyKnown(new Set(["type", "source"]), target);
      const source = b.child("source") ?? b.refuse("source", "is required.");
      const kind = source.requiredString("type");
      if (kind === "base64") {
        source.onlyKnown(new Set(["type", "media_type", "data"]), target);
        const image = {
          kind,
          mediaType: source.requiredString("media_type"),
          data: source.requiredString("data"),
        } as const;
        return { type: "image", image, param: source.path };
      }
      if (kind === "url") {
        source.onlyKnown(new Set(["type", "url"]), target);
        return { type: "image", image: { kind, url: source.requiredString("url") }, param: source.path };
      }
      return source.refuse("type", `"${kind}" image sources cannot be expressed ${target}.`);
    }
    case "tool_use":
      b.onlyKnown(new Set(["type", "id", "name", "input"]), target);
      return {
        type: "tool_call",
        id: b.requiredString("id"),
        name: b.requiredString("name"),
        input: b.raw("input") ?? {},
      };
    default: {
      b.onlyKnown(new Set(["type", "tool_use_id", "content", "is_error"]), target);
      if (b.boolean("is_error") === true)
        b.refuse("is_error", `(an errored tool result) cannot be expressed ${target}.`);
      return { type: "tool_result", id: b.requiredString("tool_use_id"), text: toolResultText(b, target) };
    }
  }
}

function toolResultText(b: Fields, target: string): string {
  const content = b.raw("content");
  if (content === undefined || typeof content === "string") return content ?? "";
  return (b.array("content") ?? [])
    .map((c, i) => {
      const block = Fields.of(c, pathOf(b.at("content"), i));
      if (block.requiredString("type") !== "text")
        block.refuse("type", `only text tool results can be expressed ${target}.`);
      block.onlyKnown(new Set(["type", "text"]), target);
      return block.requiredString("text");
    })
    .join("");
}

function readTool(t: Fields, target: string): ToolSpec {
  const type = t.string("type");
  if (type !== undefined && type !== "custom")
    t.refuse("type", `"${type}" (a server tool) cannot be expressed ${target}.`);
  t.onlyKnown(new Set(["type", "name", "description", "input_schema"]), target);
  return {
    name: t.requiredString("name"),
    ...(t.has("description") ? { description: t.requiredString("description") } : {}),
    schema: (t.child("input_schema") ?? t.refuse("input_schema", "is required.")).object,
  };
}

function readToolChoice(
  f: Fields,
  target: string,
): { choice: Setting<ToolChoice> | null; parallel: Setting<boolean> | null } {
  const c = f.child("tool_choice");
  if (!c) return { choice: null, parallel: null };
  c.onlyKnown(new Set(["type", "name", "disable_parallel_tool_use"]), target);
  const type = c.requiredString("type");
  const value: ToolChoice =
    type === "any"
      ? { type: "required" }
      : type === "tool"
        ? { type: "tool", name: c.requiredString("name") }
        : type === "auto" || type === "none"
          ? { type }
          : c.refuse("type", 'must be "auto", "any", "tool" or "none".');
  const noParallel = c.boolean("disable_parallel_tool_use") === true;
  return {
    choice: { value, param: f.at("tool_choice") },
    parallel: noParallel ? { value: false, param: c.at("disable_parallel_tool_use") } : null,
  };
}

function readStop(f: Fields): string[] | null {
  const list = f.array("stop_sequences");
  if (!list) return null;
  return list.map((s, i) => {
    if (typeof s !== "string") throw new BridgeError(pathOf("stop_sequences", i), "must be a string.");
    return s;
  });
}
