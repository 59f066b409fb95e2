import { readFile } from "node:fs/promises";
import { DocketError } from "../../domain/errors.js";
import { parseTemplateSpec, type TemplateSpec } from "./template-spec.js";

/** Reads a template file; `model` (e.g. from `--model`) replaces the file's model. */
export async function loadTemplate(path: string, model?: string): Promise<TemplateSpec> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new DocketError("template_not_found", `Cannot read template ${path}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DocketError("invalid_template", `Template ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (model !== undefined && typeof value === "object" && value !== null && !Array.isArray(value)) {
    value = { ...value, model };
  }
  return parseTemplateSpec(value, path);
}
