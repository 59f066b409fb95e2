import { BridgeError } from "./bridge-error.js";
import type { Conversation } from "./conversation.js";

/**
 * A JSON answer is given to Anthropic and Converse as a forced tool, so it leaves no room for
 * the request's own tools or tool settings: those are refused rather than overridden.
 */
export function checkJsonOutputAlone(c: Conversation, target: string): void {
  if (!c.jsonOutput) return;
  const clash =
    c.tools.length > 0
      ? "tools"
      : c.toolChoice
        ? "tool_choice"
        : c.parallelToolCalls
          ? "parallel_tool_calls"
          : null;
  if (clash) {
    throw new BridgeError(
      c.jsonOutput.param,
      `together with '${clash}' cannot be expressed ${target} (the JSON answer is itself a forced tool).`,
    );
  }
}
