import type { PreparedRequest } from "../prepared-request.js";
import type { ChatCompletionBody } from "../request-body.js";
import { checkMessagesTemplate, type Dialect } from "./dialect.js";

/** A request of an Anthropic Message Batches create call (`requests[]`), one per line. */
export interface AnthropicBatchLine {
  custom_id: string;
  params: {
    model: string;
    max_tokens: number;
    system?: string;
    messages: Array<{ role: "user"; content: string }>;
    [param: string]: unknown;
  };
}

/** Anthropic's documented custom_id rule. */
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

export const anthropicBatchDialect: Dialect = {
  name: "anthropic",
  checkTemplate: (template) => checkMessagesTemplate("anthropic", template),
  checkCustomId: (id) =>
    CUSTOM_ID.test(id) ? null : "Anthropic custom_id must be 1-64 characters of letters, digits, '_' or '-'",
  toLine: (r): AnthropicBatchLine => ({ custom_id: r.customId, params: toMessagesParams(r) }),
};

/** The chat body as Messages API params: system messages move to the top-level `system`. */
export function toMessagesParams(r: PreparedRequest): AnthropicBatchLine["params"] {
  const {
    model,
    messages,
    max_tokens,
    response_format: _unsupported,
    ...rest
  } = r.body as ChatCompletionBody;
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  const user = messages
    .filter((m) => m.role === "user")
    .map((m) => ({ role: "user" as const, content: m.content }));
  return {
    model,
    max_tokens: max_tokens ?? 0,
    ...(system.length > 0 ? { system: system.join("\n\n") } : {}),
    messages: user,
    ...rest,
  };
}
