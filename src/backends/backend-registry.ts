import type { RouteConfig } from "../config/config.js";
import type { Backend } from "./backend.js";
import { createBackend } from "./create-backend.js";

/** One backend instance per route, created on first use and closed together. */
export class BackendRegistry {
  private readonly backends = new Map<string, Backend>();

  constructor(private readonly factory: (route: RouteConfig) => Backend = createBackend) {}

  get(route: RouteConfig): Backend {
    let backend = this.backends.get(route.name);
    if (!backend) {
      backend = this.factory(route);
      this.backends.set(route.name, backend);
    }
    return backend;
  }

  async closeAll(): Promise<void> {
    const all = [...this.backends.values()];
    this.backends.clear();
    await Promise.allSettled(all.map((b) => b.close()));
  }
}
