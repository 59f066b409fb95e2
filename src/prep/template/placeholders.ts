import Mustache from "mustache";
import { DocketError } from "../../domain/errors.js";

/**
 * The field names a template needs from every row: its `{{name}}` and `{{{name}}}` tags outside
 * sections. A section (`{{#notes}}…{{/notes}}`) is how a template says a field is optional, so
 * neither its name nor the tags inside it are required.
 */
export function requiredFields(template: string, where: string): string[] {
  let tokens: Mustache.TemplateSpans;
  try {
    tokens = Mustache.parse(template);
  } catch (e) {
    throw new DocketError("invalid_template", `Template ${where}: ${(e as Error).message}`);
  }
  const names: string[] = [];
  for (const token of tokens) {
    const [type, value] = token;
    if (type === ">") {
      throw new DocketError(
        "invalid_template",
        `Template ${where}: partials ({{> ${value}}}) are not supported.`,
      );
    }
    if ((type === "name" || type === "&") && value !== "." && !names.includes(value)) names.push(value);
  }
  return names;
}

/** Mustache's own lookup for dotted names (`customer.name`), without its function calls. */
export function lookupField(fields: Record<string, unknown>, name: string): unknown {
  if (!name.includes(".")) return fields[name];
  let value: unknown = fields;
  for (const part of name.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
