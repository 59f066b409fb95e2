/**
 * A tiny method + path router. Patterns are `/`-separated with `:name` segments
 * (`/v1/files/:id/content`). Routes are bucketed by segment count so a lookup only compares
 * the handful of patterns of the right length: matching costs a split and a few string compares.
 */
export type Params = Record<string, string>;

export type RouteMatch<H> =
  | { kind: "found"; handler: H; params: Params }
  | { kind: "method_not_allowed"; allow: string[] }
  | { kind: "not_found" };

interface Route<H> {
  method: string;
  segments: string[];
  handler: H;
}

export class Router<H> {
  private readonly byLength = new Map<number, Route<H>[]>();

  add(method: string, pattern: string, handler: H): this {
    const segments = split(pattern);
    const bucket = this.byLength.get(segments.length) ?? [];
    bucket.push({ method: method.toUpperCase(), segments, handler });
    this.byLength.set(segments.length, bucket);
    return this;
  }

  match(method: string, path: string): RouteMatch<H> {
    const parts = split(path);
    const bucket = this.byLength.get(parts.length);
    if (!bucket) return { kind: "not_found" };
    let allow: string[] | undefined;
    for (const route of bucket) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { kind: "found", handler: route.handler, params };
      allow ??= [];
      allow.push(route.method);
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
