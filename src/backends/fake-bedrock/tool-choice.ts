import type { AwsError } from "./aws-error.js";
import { constraint, type Fields } from "./body-checks.js";

/** The tool a request forces the model to call: its name and JSON schema. */
export interface ForcedTool {
  name: string;
  schema: unknown;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Converse's (and Nova's) `toolConfig`: `{tools: [{toolSpec: {name, inputSchema: {json}}}],
 * toolChoice: {auto: {}} | {any: {}} | {tool: {name}}}`. `any` and `tool` force a call (the fake
 * calls the first or the named tool); `auto` and no choice answer with text.
 */
export function converseForcedTool(toolConfig: unknown, path = "toolConfig"): ForcedTool | null | AwsError {
  if (toolConfig === undefined) return null;
  if (typeof toolConfig !== "object" || toolConfig === null)
    return constraint(toolConfig, path, "Member must be a structure");
  const { tools, toolChoice } = toolConfig as Fields;
  if (!Array.isArray(tools) || tools.length === 0) {
    return constraint(tools ?? null, `${path}.tools`, "Member must have length greater than or equal to 1");
  }
  const specs: ForcedTool[] = [];
  for (let i = 0; i < tools.length; i++) {
    const spec = (tools[i] as Fields | null)?.toolSpec as Fields | undefined;
    if (typeof spec !== "object" || spec === null) {
      // cachePoint entries sit between tools; anything else is not a tool.
      if (typeof (tools[i] as Fields | null)?.cachePoint === "object") continue;
      return constraint(
        tools[i],
        `${path}.tools.${i + 1}.member`,
        "Member must be a toolSpec or a cachePoint",
      );
    }
    if (typeof spec.name !== "string" || !TOOL_NAME.test(spec.name)) {
      return constraint(
        spec.name ?? null,
        `${path}.tools.${i + 1}.member.toolSpec.name`,
        `Member must satisfy regular expression pattern: ${TOOL_NAME.source}`,
      );
    }
    const json = (spec.inputSchema as Fields | undefined)?.json;
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      return constraint(
        json ?? null,
        `${path}.tools.${i + 1}.member.toolSpec.inputSchema.json`,
        "Member must be a JSON object schema",
      );
    }
    specs.push({ name: spec.name, schema: json });
  }
  if (toolChoice === undefined) return null;
  const choice = toolChoice as Fields | null;
  if (typeof choice !== "object" || choice === null)
    return constraint(toolChoice, `${path}.toolChoice`, "Member must be a structure");
  if ("auto" in choice) return null;
  if ("any" in choice) return specs[0] ?? null;
  const named = (choice.tool as Fields | undefined)?.name;
  if (typeof named === "string") {
    const found = specs.find((s) => s.name === named);
    if (found) return found;
    return constraint(
      named,
      `${path}.toolChoice.tool.name`,
      "Member must name one of the tools in toolConfig.tools",
    );
  }
  return constraint(toolChoice, `${path}.toolChoice`, "Member must be one of auto, any or tool");
}
