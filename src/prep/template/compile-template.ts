import Mustache from "mustache";
import type { ChatMessage, PrepEndpoint, RequestPayload } from "../request-body.js";
import { lookupField, requiredFields } from "./placeholders.js";
import type { TemplateSpec } from "./template-spec.js";

export type RenderResult = { ok: true; payload: RequestPayload } | { ok: false; missing: string[] };

/** A template ready to turn rows into request bodies. */
export interface CompiledTemplate {
  spec: TemplateSpec;
  endpoint: PrepEndpoint;
  /** Fields every row must have, in template order. */
  fields: string[];
  render(fields: Record<string, unknown>): RenderResult;
}

/**
 * Rows are data, not HTML: values go in verbatim, and objects (from JSONL) as JSON rather
 * than Mustache's `[object Object]`.
 */
const RENDER_OPTIONS = {
  escape: (value: unknown): string =>
    typeof value === "object" && value !== null ? JSON.stringify(value) : String(value),
};

/**
 * Parses each text once and renders its tokens directly: `Mustache.render` would rebuild a
 * cache key from the whole template text on every row, which shows up on million-row files.
 */
function compileFill(): (text: string, view: Record<string, unknown>) => string {
  const writer = new Mustache.Writer();
  // The typings give parse() and renderTokens() different token types for the same arrays.
  const parsed = new Map<string, string[][] | string>();
  return (text, view) => {
    let tokens = parsed.get(text);
    if (tokens === undefined) {
      const spans = writer.parse(text) as string[][];
      const constant = spans.every(([type]) => type === "text" || type === "!");
      tokens = constant
        ? writer.renderTokens(spans, new Mustache.Context({}), {}, text, RENDER_OPTIONS)
        : spans;
      parsed.set(text, tokens);
    }
    if (typeof tokens === "string") return tokens;
    return writer.renderTokens(tokens, new Mustache.Context(view), {}, text, RENDER_OPTIONS);
  };
}

export function compileTemplate(spec: TemplateSpec): CompiledTemplate {
  const texts = (["system", "user", "prompt", "input"] as const).filter((k) => spec[k] !== undefined);
  const fields: string[] = [];
  for (const key of texts) {
    for (const name of requiredFields(spec[key]!, `"${key}"`)) if (!fields.includes(name)) fields.push(name);
  }
  const fill = compileFill();
  const extra = { ...spec.params };
  const common = (body: Record<string, unknown>) => {
    if (spec.max_tokens !== undefined) body.max_tokens = spec.max_tokens;
    if (spec.temperature !== undefined) body.temperature = spec.temperature;
    if (spec.response_format !== undefined) body.response_format = spec.response_format;
    return Object.assign(body, extra);
  };

  const build = (view: Record<string, unknown>): RequestPayload => {
    if (spec.endpoint === "/v1/embeddings") {
      return {
        endpoint: spec.endpoint,
        body: { model: spec.model, input: fill(spec.input!, view), ...extra },
      };
    }
    if (spec.endpoint === "/v1/completions") {
      const body = common({ model: spec.model, prompt: fill(spec.prompt!, view) });
      return { endpoint: spec.endpoint, body: body as { model: string; prompt: string } };
    }
    const messages: ChatMessage[] = [];
    if (spec.system !== undefined) messages.push({ role: "system", content: fill(spec.system, view) });
    messages.push({ role: "user", content: fill((spec.user ?? spec.prompt)!, view) });
    const body = common({ model: spec.model, messages });
    return { endpoint: spec.endpoint, body: body as { model: string; messages: ChatMessage[] } };
  };

  return {
    spec,
    endpoint: spec.endpoint,
    fields,
    render(view) {
      const missing = fields.filter((name) => {
        const v = lookupField(view, name);
        return v === undefined || v === null;
      });
      return missing.length > 0 ? { ok: false, missing } : { ok: true, payload: build(view) };
    },
  };
}
