import { DocketError } from "../../domain/errors.js";
import type { PreparedRequest } from "../prepared-request.js";
import type { CompiledTemplate } from "../template/compile-template.js";

export type DialectName = "openai" | "anthropic" | "bedrock";

/** How prepared requests are written as lines of one provider's batch input file. */
export interface Dialect {
  readonly name: DialectName;
  /** Throws when the template asks for something this dialect cannot express. */
  checkTemplate(template: CompiledTemplate): void;
  /** Why an id is not accepted as this dialect's record id, or null if it is. */
  checkCustomId(id: string): string | null;
  toLine(request: PreparedRequest): object;
}

export const DIALECT_NAMES: readonly DialectName[] = ["openai", "anthropic", "bedrock"];

export function parseDialectName(value: string): DialectName {
  if ((DIALECT_NAMES as readonly string[]).includes(value)) return value as DialectName;
  throw new DocketError("invalid_option", `Unknown dialect '${value}'; use ${DIALECT_NAMES.join(", ")}.`);
}

/**
 * Anthropic's Messages API (direct or on Bedrock) has no response_format and needs max_tokens;
 * say so once, before any row is read, rather than once per row.
 */
export function checkMessagesTemplate(dialect: DialectName, template: CompiledTemplate): void {
  const fail = (why: string) =>
    new DocketError("template_not_supported", `The ${dialect} dialect cannot express this template: ${why}`);
  if (template.endpoint !== "/v1/chat/completions")
    throw fail(`only chat templates are supported, not ${template.endpoint}.`);
  if (template.spec.max_tokens === undefined) throw fail(`"max_tokens" is required by the Messages API.`);
  if (template.spec.response_format !== undefined) {
    throw fail(
      `"response_format" has no equivalent; describe the format in the prompt or use the openai dialect.`,
    );
  }
}
