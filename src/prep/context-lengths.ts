import type { RouteConfig } from "../config/config.js";
import { RouteTable } from "../routing/route-table.js";

/**
 * Context windows of well-known models, in tokens, as their providers publish them. A route's
 * `contextLength` wins over this table; the first matching prefix wins within it, so more
 * specific names come first.
 */
export const KNOWN_CONTEXT_LENGTHS: ReadonlyArray<readonly [prefix: string, tokens: number]> = [
  ["gpt-5", 400_000],
  ["gpt-4.1", 1_047_576],
  ["gpt-4o", 128_000],
  ["chatgpt-4o", 128_000],
  ["gpt-4-turbo", 128_000],
  ["gpt-4-32k", 32_768],
  ["gpt-4", 8_192],
  ["gpt-3.5-turbo", 16_385],
  ["o1-mini", 128_000],
  ["o1", 200_000],
  ["o3", 200_000],
  ["o4-mini", 200_000],
  ["text-embedding-3", 8_191],
  ["text-embedding-ada-002", 8_191],
  ["claude-", 200_000],
];

export type ContextLengthSource = "option" | "route" | "table" | "unknown";

export interface ContextLengthResolution {
  tokens: number | null;
  source: ContextLengthSource;
}

/** An explicit value (`--context-length`), else the route's, else the table's, else unknown. */
export function resolveContextLength(
  model: string,
  explicit?: number,
  routes: RouteConfig[] = [],
): ContextLengthResolution {
  if (explicit !== undefined) return { tokens: explicit, source: "option" };
  const route = new RouteTable(routes).resolve(model);
  if (route?.contextLength !== undefined) return { tokens: route.contextLength, source: "route" };
  const m = model.toLowerCase().replace(/^(openai|anthropic)\//, "");
  const hit = KNOWN_CONTEXT_LENGTHS.find(([prefix]) => m.startsWith(prefix));
  return hit ? { tokens: hit[1], source: "table" } : { tokens: null, source: "unknown" };
}
