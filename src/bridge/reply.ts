/**
 * The dialect-neutral form of one successful answer (a chat completion with one choice, a
 * Message, a Converse output), which bridging reads the backend's answer into and writes the
 * user's dialect from.
 */
export interface Reply {
  /** The backend's id (`msg_…`, `chatcmpl-…`); null when its dialect has none (Converse). */
  id: string | null;
  text: string[];
  toolCalls: Array<{ id: string; name: string; input: unknown }>;
  stop: StopReason;
  /** The stop sequence that ended the answer, when the backend says which. */
  stopSequence: string | null;
  usage: ReplyUsage;
}

/** Why the answer ended, in Anthropic's words (the richest of the three). */
export type StopReason = "end_turn" | "stop_sequence" | "max_tokens" | "tool_use" | "refusal";

/**
 * Input tokens are split as Anthropic reports them: `input` excludes cache reads and writes;
 * a dialect with one prompt count (OpenAI's `prompt_tokens`) gets their sum.
 */
export interface ReplyUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export function promptTokens(u: ReplyUsage): number {
  return u.input + u.cacheRead + u.cacheWrite;
}

/** Reads a usage object whose four counts have the given member names; a missing count is 0. */
export function readUsage(usage: unknown, names: Record<keyof ReplyUsage, string>): ReplyUsage {
  const u = (typeof usage === "object" && usage !== null ? usage : {}) as Record<string, unknown>;
  const count = (name: string) => {
    const v = u[name];
    return typeof v === "number" ? v : 0;
  };
  return {
    input: count(names.input),
    output: count(names.output),
    cacheRead: count(names.cacheRead),
    cacheWrite: count(names.cacheWrite),
  };
}
