import { DocketError } from "../domain/errors.js";

/** What to do with a row whose input tokens + max_tokens exceed the context length. */
export type OverflowPolicy = { kind: "reject" } | { kind: "truncate"; field: string };

export function parseOverflowPolicy(value: string): OverflowPolicy {
  if (value === "reject") return { kind: "reject" };
  const m = /^truncate:(.+)$/.exec(value);
  if (m) return { kind: "truncate", field: m[1]! };
  throw new DocketError(
    "invalid_option",
    `Unknown overflow policy '${value}'; use reject or truncate:<field>.`,
  );
}

export function formatOverflowPolicy(policy: OverflowPolicy): string {
  return policy.kind === "reject" ? "reject" : `truncate:${policy.field}`;
}
