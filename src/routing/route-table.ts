import type { RouteConfig } from "../config/config.js";

/**
 * Maps a request's `model` to the first route whose patterns match it, in config order, so a
 * specific route can sit before a catch-all `*`.
 */
export class RouteTable {
  private readonly compiled: Array<{ route: RouteConfig; patterns: RegExp[] }>;
  private readonly cache = new Map<string, RouteConfig | null>();

  constructor(readonly routes: RouteConfig[]) {
    this.compiled = routes.map((route) => ({ route, patterns: route.models.map(globToRegExp) }));
  }

  resolve(model: string): RouteConfig | undefined {
    let hit = this.cache.get(model);
    if (hit === undefined) {
      hit = this.compiled.find((c) => c.patterns.some((p) => p.test(model)))?.route ?? null;
      this.cache.set(model, hit);
    }
    return hit ?? undefined;
  }

  byName(name: string): RouteConfig | undefined {
    return this.routes.find((r) => r.name === name);
  }
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}
