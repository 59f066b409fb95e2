import { checkBridgeable } from "../bridge/check-bridgeable.js";
import type { RouteConfig } from "../config/config.js";
import type { RouteTable } from "../routing/route-table.js";

/**
 * `checkBridgeable` for the route a line resolves to. An `auto` route sends each job either to
 * its provider batch route or to its on-demand route (decided later, per job), so a line must
 * fit both: the first that cannot carry it is the line's problem.
 */
export function checkRouteBridges(
  endpoint: string,
  route: RouteConfig,
  routes: RouteTable,
  body: string | Buffer,
): { param: string; message: string } | null {
  const backend = route.backend as { type: string; batchRoute?: string; onlineRoute?: string };
  if (backend.type !== "auto") return checkBridgeable(endpoint, route, body);
  for (const name of [backend.batchRoute, backend.onlineRoute]) {
    const target = name === undefined ? undefined : routes.byName(name);
    if (!target) continue;
    const problem = checkBridgeable(endpoint, target, body);
    if (problem) return problem;
  }
  return null;
}
