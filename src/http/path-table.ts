/**
 * A tiny table of method + path patterns and their handlers. Patterns are `/`-separated with
 * `:name` segments (`/v1/files/:id/content`). Entries are bucketed by segment count so a lookup
 * only compares the handful of patterns of the right length: matching costs a split and a few
 * string compares.
 */
export type Params = Record<string, string>;

export type PathMatch<H> =
  | { kind: "found"; handler: H; params: Params }
  | { kind: "method_not_allowed"; allow: string[] }
  | { kind: "not_found" };

interface Entry<H> {
  method: string;
  segments: string[];
  handler: H;
}

export class PathTable<H> {
  private readonly byLength = new Map<number, Entry<H>[]>();

  add(method: string, pattern: string, handler: H): this {
    const segments = split(pattern);
    const bucket = this.byLength.get(segments.length) ?? [];
    bucket.push({ method: method.toUpperCase(), segments, handler });
    this.byLength.set(segments.length, bucket);
    return this;
  }

  /** Every entry as added (method and pattern), for tests that must cover each route. */
  routes(): Array<{ method: string; pattern: string }> {
    return [...this.byLength.values()]
      .flat()
      .map((e) => ({ method: e.method, pattern: e.segments.join("/") }));
  }

  match(method: string, path: string): PathMatch<H> {
    const parts = split(path);
    const bucket = this.byLength.get(parts.length);
    if (!bucket) return { kind: "not_found" };
    let allow: string[] | undefined;
    for (const entry of bucket) {
      const params = matchSegments(entry.segments, parts);
      if (!params) continue;
      if (entry.method === method) return { kind: "found", handler: entry.handler, params };
      allow ??= [];
      allow.push(entry.method);
    }
    return allow ? { kind: "method_not_allowed", allow } : { kind: "not_found" };
  }
}

/** Ignores one trailing slash so `/v1/files/` finds `/v1/files`, as most servers do. */
function split(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  return trimmed.split("/");
}

function matchSegments(pattern: string[], parts: string[]): Params | undefined {
  let params: Params | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const actual = parts[i]!;
    if (expected.startsWith(":")) {
      if (actual === "") return undefined;
      const value = decode(actual);
      if (value === undefined) return undefined;
      params ??= {};
      params[expected.slice(1)] = value;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params ?? {};
}

function decode(segment: string): string | undefined {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
