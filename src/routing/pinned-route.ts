import { RouteTable } from "./route-table.js";

/**
 * The routes a job's lines resolve against. A job with a pinned route (a retry that named one,
 * docs/lineage.md) sends every record there whatever its model: a copy of that route that serves
 * every model goes first, the configured routes after it (bridging checks look auto routes' targets
 * up by name). A pinned route the config no longer has serves nothing, so each line says that no
 * route serves its model rather than silently going elsewhere.
 */
export function routesForJob(routes: RouteTable, pinnedRoute: string | null | undefined): RouteTable {
  if (!pinnedRoute) return routes;
  const route = routes.byName(pinnedRoute);
  if (!route) return new RouteTable([]);
  return new RouteTable([{ ...route, models: ["*"] }, ...routes.routes]);
}
