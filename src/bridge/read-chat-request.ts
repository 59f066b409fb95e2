import { BridgeError } from "./bridge-error.js";
import type { Conversation, ImageSource, Part, Setting, ToolChoice, ToolSpec, Turn } from "./conversation.js";
import { JSON_OBJECT_TOOL } from "./conversation.js";
import { Fields, type JsonObject, pathOf } from "./json-fields.js";

/**
 * Members of an OpenAI chat-completions body that bridging reads. Every other member is refused
 * by name (`onlyKnown`); some of these are refused too when set to what no other dialect has
 * (`n` > 1, `logprobs`, penalties, `seed`…), see `refuseUnbridgeable`.
 */
const KNOWN = new Set([
  "model",
  "messages",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "stop",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "user",
  "n",
  "stream",
  "logprobs",
  "frequency_penalty",
  "presence_penalty",
  "logit_bias",
  "modalities",
  "store",
]);

/** Reads an OpenAI chat-completions body; `target` ends refusals ("in Anthropic Messages"). */
export function readChatRequest(body: JsonObject, target: string): Conversation {
  const f = new Fields(body, "");
  f.onlyKnown(KNOWN, target);
  refuseUnbridgeable(f, target);
  const { system, turns } = readMessages(f, target);
  const tools = (f.array("tools") ?? []).map((t, i) => readTool(Fields.of(t, pathOf("tools", i)), target));
  return {
    model: f.requiredString("model"),
    system,
    turns,
    maxTokens: f.number("max_completion_tokens") ?? f.number("max_tokens") ?? null,
    temperature: setting(f, "temperature", f.number("temperature")),
    topP: setting(f, "top_p", f.number("top_p")),
    stop: readStop(f),
    tools,
    toolChoice: setting(f, "tool_choice", readToolChoice(f)),
    parallelToolCalls: setting(f, "parallel_tool_calls", f.boolean("parallel_tool_calls")),
    jsonOutput: readResponseFormat(f),
    user: setting(f, "user", f.string("user")),
  };
}

function setting<T>(f: Fields, key: string, value: T | undefined): Setting<T> | null {
  return value === undefined ? null : { value, param: f.at(key) };
}

function refuseUnbridgeable(f: Fields, target: string): void {
  const cannot = `cannot be expressed ${target}`;
  const n = f.number("n");
  if (n !== undefined && n !== 1) f.refuse("n", `must be 1: more than one choice ${cannot}.`);
  if (f.boolean("stream") === true) f.refuse("stream", "must be false: a batch answer is never streamed.");
  if (f.boolean("logprobs") === true) f.refuse("logprobs", `must be false: log probabilities ${cannot}.`);
  for (const key of ["frequency_penalty", "presence_penalty"]) {
    const v = f.number(key);
    if (v !== undefined && v !== 0) f.refuse(key, `must be 0: penalties ${cannot}.`);
  }
  const bias = f.child("logit_bias");
  if (bias && Object.keys(bias.object).length > 0) f.refuse("logit_bias", `${cannot}.`);
  const modalities = f.array("modalities");
  if (modalities?.some((m) => m !== "text")) f.refuse("modalities", `may only hold "text" ${target}.`);
  if (f.boolean("store") === true) f.refuse("store", `must be false: stored completions ${cannot}.`);
}

function readMessages(f: Fields, target: string): { system: Conversation["system"]; turns: Turn[] } {
  const list = f.array("messages");
  if (!list || list.length === 0) throw new BridgeError("messages", "must be a non-empty array.");
  const system: Conversation["system"] = [];
  const turns: Turn[] = [];
  const add = (role: Turn["role"], parts: Part[]) => {
    const last = turns.at(-1);
    // Consecutive turns of one role (several tool results, a tool result then a user message) are one turn.
    if (last && last.role === role) last.parts.push(...parts);
    else turns.push({ role, parts });
  };
  list.forEach((raw, i) => {
    const m = Fields.of(raw, pathOf("messages", i));
    const role = m.requiredString("role");
    if (m.has("name")) m.refuse("name", `(a participant name) cannot be expressed ${target}.`);
    if (role === "system" || role === "developer") {
      if (turns.length > 0)
        m.refuse("role", `"${role}" after the conversation started cannot be expressed ${target}.`);
      m.onlyKnown(new Set(["role", "content"]), target);
      for (const text of readTexts(m, "content")) system.push({ text, param: m.at("content") });
    } else if (role === "user") {
      m.onlyKnown(new Set(["role", "content"]), target);
      add("user", readUserContent(m, target));
    } else if (role === "assistant") {
      m.onlyKnown(new Set(["role", "content", "tool_calls", "refusal"]), target);
      if (m.has("refusal")) m.refuse("refusal", `cannot be expressed ${target}.`);
      const parts: Part[] = readTexts(m, "content").map((text) => ({ type: "text", text }));
      const calls = m.array("tool_calls") ?? [];
      for (const [j, c] of calls.entries())
        parts.push(readToolCall(Fields.of(c, pathOf(m.at("tool_calls"), j))));
      add("assistant", parts);
    } else if (role === "tool") {
      m.onlyKnown(new Set(["role", "content", "tool_call_id"]), target);
      add("user", [
        { type: "tool_result", id: m.requiredString("tool_call_id"), text: readTexts(m, "content").join("") },
      ]);
    } else {
      m.refuse("role", `"${role}" cannot be expressed ${target}.`);
    }
  });
  return { system, turns };
}

/** A content that may only hold text: a string or an array of text parts. */
function readTexts(m: Fields, key: string): string[] {
  const content = m.raw(key);
  if (content === undefined) return [];
  if (typeof content === "string") return content === "" ? [] : [content];
  const parts = m.array(key) ?? [];
  return parts.map((p, i) => {
    const part = Fields.of(p, pathOf(m.at(key), i));
    if (part.requiredString("type") !== "text") part.refuse("type", 'must be "text" here.');
    part.onlyKnown(new Set(["type", "text"]), "here");
    return part.requiredString("text");
  });
}

function readUserContent(m: Fields, target: string): Part[] {
  const content = m.raw("content");
  if (typeof content === "string") return [{ type: "text", text: content }];
  const parts = m.array("content");
  if (!parts) throw new BridgeError(m.at("content"), "is required.");
  return parts.map((p, i): Part => {
    const part = Fields.of(p, pathOf(m.at("content"), i));
    const type = part.requiredString("type");
    if (type === "text") {
      part.onlyKnown(new Set(["type", "text"]), target);
      return { type: "text", text: part.requiredString("text") };
    }
    if (type !== "image_url") part.refuse("type", `"${type}" content cannot be expressed ${target}.`);
    part.onlyKnown(new Set(["type", "image_url"]), target);
    const image = part.child("image_url") ?? part.refuse("image_url", "is required.");
    image.onlyKnown(new Set(["url", "detail"]), target);
    const detail = image.string("detail");
    if (detail !== undefined && detail !== "auto")
      image.refuse("detail", `"${detail}" cannot be expressed ${target}.`);
    return {
      type: "image",
      image: imageSource(image.requiredString("url"), image.at("url")),
      param: image.at("url"),
    };
  });
}

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,(.*)$/is;

/** A data URL's bytes stay base64 (no dialect here wants them decoded); other URLs stay URLs. */
export function imageSource(url: string, param: string): ImageSource {
  const data = DATA_URL.exec(url);
  if (data) return { kind: "base64", mediaType: data[1]!.toLowerCase(), data: data[2]! };
  if (/^https?:\/\//i.test(url)) return { kind: "url", url };
  throw new BridgeError(param, "must be an http(s) URL or a base64 data URL.");
}

function readToolCall(c: Fields): Part {
  if (c.requiredString("type") !== "function") c.refuse("type", 'must be "function".');
  const fn = c.child("function") ?? c.refuse("function", "is required.");
  const args = fn.requiredString("arguments");
  let input: unknown;
  try {
    input = JSON.parse(args);
  } catch {
    fn.refuse("arguments", "must be JSON text (it becomes the tool call's input object).");
  }
  return { type: "tool_call", id: c.requiredString("id"), name: fn.requiredString("name"), input };
}

function readTool(t: Fields, target: string): ToolSpec {
  if (t.requiredString("type") !== "function")
    t.refuse("type", `only "function" tools can be expressed ${target}.`);
  const fn = t.child("function") ?? t.refuse("function", "is required.");
  // `strict` asks OpenAI to enforce the schema; elsewhere the schema is given, not enforced (docs/providers.md).
  fn.onlyKnown(new Set(["name", "description", "parameters", "strict"]), target);
  return {
    name: fn.requiredString("name"),
    ...(fn.has("description") ? { description: fn.requiredString("description") } : {}),
    schema: fn.raw("parameters") ?? { type: "object", properties: {} },
  };
}

function readStop(f: Fields): string[] | null {
  const stop = f.raw("stop");
  if (stop === undefined) return null;
  if (typeof stop === "string") return [stop];
  const list = f.array("stop")!;
  return list.map((s, i) => {
    if (typeof s !== "string") throw new BridgeError(pathOf("stop", i), "must be a string.");
    return s;
  });
}

function readToolChoice(f: Fields): ToolChoice | undefined {
  const choice = f.raw("tool_choice");
  if (choice === undefined) return undefined;
  if (choice === "auto" || choice === "none") return { type: choice };
  if (choice === "required") return { type: "required" };
  const c = Fields.of(choice, "tool_choice", '"auto", "none", "required" or a named function');
  if (c.requiredString("type") !== "function") c.refuse("type", 'must be "function".');
  const fn = c.child("function") ?? c.refuse("function", "is required.");
  return { type: "tool", name: fn.requiredString("name") };
}

function readResponseFormat(f: Fields): Conversation["jsonOutput"] {
  const rf = f.child("response_format");
  if (!rf) return null;
  const type = rf.requiredString("type");
  if (type === "text") return null;
  if (type === "json_object") {
    return { name: JSON_OBJECT_TOOL, schema: { type: "object" }, param: f.at("response_format") };
  }
  if (type !== "json_schema") rf.refuse("type", `"${type}" is not a response format bridging knows.`);
  const js = rf.child("json_schema") ?? rf.refuse("json_schema", "is required.");
  js.onlyKnown(new Set(["name", "description", "schema", "strict"]), "here");
  const schema = js.child("schema") ?? js.refuse("schema", "is required.");
  if (schema.has("type") && schema.raw("type") !== "object") {
    schema.refuse("type", 'must be "object": the schema becomes a tool\'s input schema when bridged.');
  }
  return {
    name: js.requiredString("name"),
    ...(js.has("description") ? { description: js.requiredString("description") } : {}),
    schema: schema.object,
    param: f.at("response_format"),
  };
}
