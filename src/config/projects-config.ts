import { DocketError } from "../domain/errors.js";

/**
 * One project's limits (docs/configuration.md, "projects"). Every field is optional: an absent
 * limit does not apply. Sizes are checked when work is created, rates when a request arrives,
 * `weight` when workers claim records (docs/security.md, "Quotas and fairness").
 */
export interface ProjectLimits {
  /** Records queued (not yet finished) over all the project's jobs; beyond it, new jobs are refused (403). */
  maxQueuedRecords?: number;
  /** Bytes of the project's stored files (uploads and results); beyond it, uploads are refused (403). */
  maxStoredBytes?: number;
  /** Jobs not yet ended (validating, in progress, finalizing, cancelling); beyond it, new jobs are refused (429). */
  maxConcurrentJobs?: number;
  /** API requests per minute from the project's keys, per API process (429 with Retry-After). */
  requestsPerMinute?: number;
  /** The project's share of each route when several projects have work (default 1). */
  weight?: number;
  /**
   * The project's own ceilings on named routes, below the route's own limits (the worker holds
   * the project's records on that route while one is reached; other projects go on).
   */
  routes?: Record<string, ProjectRouteLimits>;
}

/**
 * One project's ceiling on one route. `rpm` and `tpm` are shared by all worker processes the way
 * the route's own are; `concurrency` is per worker process, like the route's.
 */
export interface ProjectRouteLimits {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
}

/** `projects` in docket.config.json: `"*"` holds the defaults, any other key one project's own. */
export type ProjectsConfig = Record<string, ProjectLimits>;

/** The key whose limits apply to every project that does not set its own. */
export const ALL_PROJECTS = "*";
export const DEFAULT_WEIGHT = 1;

const INTEGER_LIMITS = [
  "maxQueuedRecords",
  "maxStoredBytes",
  "maxConcurrentJobs",
  "requestsPerMinute",
] as const;
const KNOWN = new Set<string>([...INTEGER_LIMITS, "weight", "routes"]);
const ROUTE_LIMITS = ["rpm", "tpm", "concurrency"] as const;
/** Bounds a weight so a share stays a sane fraction (a ratio of 1,000,000 : 1 is already absurd). */
const MAX_WEIGHT = 1_000_000;

/** Checks the `projects` section, naming the field that is wrong. */
export function parseProjectsConfig(raw: unknown): ProjectsConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalid(
      `projects must be an object of project id → limits, e.g. {"*": {"maxConcurrentJobs": 10}}.`,
    );
  }
  const out: ProjectsConfig = {};
  for (const [id, limits] of Object.entries(raw)) {
    const where = `projects[${JSON.stringify(id)}]`;
    if (id === "" || (id !== ALL_PROJECTS && !/^[A-Za-z0-9_-]{1,64}$/.test(id))) {
      throw invalid(`${where}: a project id is 1–64 letters, digits, '_' or '-' (or "*" for every project).`);
    }
    if (typeof limits !== "object" || limits === null || Array.isArray(limits)) {
      throw invalid(`${where} must be an object of limits.`);
    }
    const checked: ProjectLimits = {};
    for (const [key, value] of Object.entries(limits as Record<string, unknown>)) {
      if (!KNOWN.has(key)) {
        throw invalid(`${where}.${key} is not a project limit; known: ${[...KNOWN].join(", ")}.`);
      }
      if (key === "weight") {
        if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_WEIGHT) {
          throw invalid(
            `${where}.weight must be a number above 0 and at most ${MAX_WEIGHT} (got ${JSON.stringify(value)}).`,
          );
        }
        checked.weight = value;
        continue;
      }
      if (key === "routes") {
        checked.routes = parseProjectRoutes(value, `${where}.routes`);
        continue;
      }
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
        throw invalid(`${where}.${key} must be a positive integer (got ${JSON.stringify(value)}).`);
      }
      checked[key as (typeof INTEGER_LIMITS)[number]] = value;
    }
    out[id] = checked;
  }
  return out;
}

function parseProjectRoutes(raw: unknown, where: string): Record<string, ProjectRouteLimits> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalid(`${where} must be an object of route name → limits, e.g. {"gpt": {"rpm": 60}}.`);
  }
  const out: Record<string, ProjectRouteLimits> = {};
  for (const [route, limits] of Object.entries(raw)) {
    const at = `${where}[${JSON.stringify(route)}]`;
    if (typeof limits !== "object" || limits === null || Array.isArray(limits)) {
      throw invalid(`${at} must be an object of limits (${ROUTE_LIMITS.join(", ")}).`);
    }
    const checked: ProjectRouteLimits = {};
    for (const [key, value] of Object.entries(limits as Record<string, unknown>)) {
      if (!(ROUTE_LIMITS as readonly string[]).includes(key)) {
        throw invalid(`${at}.${key} is not a route limit; known: ${ROUTE_LIMITS.join(", ")}.`);
      }
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
        throw invalid(`${at}.${key} must be a positive integer (got ${JSON.stringify(value)}).`);
      }
      checked[key as (typeof ROUTE_LIMITS)[number]] = value;
    }
    out[route] = checked;
  }
  return out;
}

/**
 * Refuses a project route limit on a route the config does not have (a typo would otherwise
 * leave the project unlimited without a word). Run once the routes are known.
 */
export function checkProjectRoutes(projects: ProjectsConfig | undefined, routeNames: string[]): void {
  const known = new Set(routeNames);
  for (const [id, limits] of Object.entries(projects ?? {})) {
    for (const route of Object.keys(limits.routes ?? {})) {
      if (known.has(route)) continue;
      throw invalid(
        `projects[${JSON.stringify(id)}].routes[${JSON.stringify(route)}]: no route is named ${JSON.stringify(route)}; routes: ${routeNames.join(", ") || "(none)"}.`,
      );
    }
  }
}

/** A project's limits: its own entry's fields over the `"*"` defaults (route limits merged per route). */
export function projectLimits(projects: ProjectsConfig | undefined, projectId: string): ProjectLimits {
  if (!projects) return {};
  const merged: ProjectLimits = { ...projects[ALL_PROJECTS], ...projects[projectId] };
  const all = projects[ALL_PROJECTS]?.routes;
  const own = projects[projectId]?.routes;
  if (all || own) {
    const routes: Record<string, ProjectRouteLimits> = {};
    for (const name of new Set([...Object.keys(all ?? {}), ...Object.keys(own ?? {})])) {
      routes[name] = { ...all?.[name], ...own?.[name] };
    }
    merged.routes = routes;
  }
  return merged;
}

/** The project's own ceiling on `route` (its fields over the `"*"` ones), or null when it has none. */
export function projectRouteLimits(
  projects: ProjectsConfig | undefined,
  projectId: string,
  route: string,
): ProjectRouteLimits | null {
  const limits = projectLimits(projects, projectId).routes?.[route];
  return limits && Object.keys(limits).length > 0 ? limits : null;
}

/** What the claim needs to share routes by weight: the weights set, and the one for all others. */
export interface ProjectWeights {
  byProject: Record<string, number>;
  defaultWeight: number;
}

/** The weights of the `projects` section (every project weighs 1 unless set). */
export function projectWeights(projects: ProjectsConfig | undefined): ProjectWeights {
  if (!projects) return { byProject: {}, defaultWeight: DEFAULT_WEIGHT };
  const defaultWeight = projects[ALL_PROJECTS]?.weight ?? DEFAULT_WEIGHT;
  const byProject: Record<string, number> = {};
  for (const [id, limits] of Object.entries(projects)) {
    if (id !== ALL_PROJECTS && limits.weight !== undefined) byProject[id] = limits.weight;
  }
  return { byProject, defaultWeight };
}

function invalid(message: string): DocketError {
  return new DocketError("invalid_config", message);
}
