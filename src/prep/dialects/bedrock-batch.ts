import type { PreparedRequest } from "../prepared-request.js";
import { toMessagesParams } from "./anthropic-batch.js";
import { checkMessagesTemplate, type Dialect } from "./dialect.js";

/**
 * A line of a Bedrock batch inference input file for an Anthropic model (InvokeModel format).
 * The model is chosen when the job is created, so it is not in the line.
 */
export interface BedrockBatchLine {
  recordId: string;
  modelInput: {
    anthropic_version: "bedrock-2023-05-31";
    max_tokens: number;
    system?: string;
    messages: Array<{ role: "user"; content: Array<{ type: "text"; text: string }> }>;
    [param: string]: unknown;
  };
}

export const bedrockBatchDialect: Dialect = {
  name: "bedrock",
  checkTemplate: (template) => checkMessagesTemplate("bedrock", template),
  checkCustomId: (id) => (id.length === 0 ? "recordId must not be empty" : null),
  toLine: (r: PreparedRequest): BedrockBatchLine => {
    const { model: _chosenAtJobLevel, messages, max_tokens, system, ...rest } = toMessagesParams(r);
    const modelInput: BedrockBatchLine["modelInput"] = {
      anthropic_version: "bedrock-2023-05-31",
      max_tokens,
      ...(system !== undefined ? { system } : {}),
      messages: messages.map((m) => ({ role: m.role, content: [{ type: "text", text: m.content }] })),
      ...rest,
    };
    return { recordId: r.customId, modelInput };
  },
};
