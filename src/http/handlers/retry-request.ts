import type { IncomingHttpHeaders } from "node:http";
import { BridgeError } from "../../bridge/bridge-error.js";
import { planBridge } from "../../bridge/plan-bridge.js";
import { parseDuration } from "../../domain/duration.js";
import { DocketError, invalidRequest } from "../../domain/errors.js";
import { bedrockInvokeEndpoint, type Job } from "../../domain/job.js";
import type { BodyOverrides } from "../../lineage/body-overrides.js";
import type { RetryPlan } from "../../lineage/create-retry.js";
import { parseRetrySelection } from "../../lineage/retry-selection.js";
import type { RouteTable } from "../../routing/route-table.js";
import { parseBudgetFields } from "../budget-fields.js";
import { parseDedupOptions } from "../dedup-fields.js";

/** Body fields one retry may set. */
export const MAX_OVERRIDES = 64;
/** Anthropic's processing window: a Message Batch (and so its retry) ends 24 h after creation. */
const ANTHROPIC_WINDOW = "24h";

/**
 * Reads `POST /v1/batches/{id}/retry` (and the Anthropic prefix's): the selection (`only`,
 * `error_codes`, `ids`), `overrides` (top-level body fields), `route`, `scope` (`batch` or
 * `lineage`), `completion_window` (default: the parent's), and the child's own budget and dedup
 * and cache choice (`docket_budget_usd`, `docket_price`, `docket_dedup`, `docket_cache` or their
 * headers, as at creation; default: the parent's). What cannot work is refused here,
 * before a byte is written: an unknown route, a Bedrock model no route serves.
 */
export function parseRetryRequest(
  body: unknown,
  parent: Job,
  o: { routes: RouteTable | undefined; maxCompletionWindowMs: number; headers: IncomingHttpHeaders },
): RetryPlan {
  if (!isObject(body)) throw invalidRequest("The request body must be a JSON object.");
  const selection = parseRetrySelection(body);
  const scope = body.scope ?? "batch";
  if (scope !== "batch" && scope !== "lineage") {
    throw invalidRequest(
      `'scope' must be "batch" (this batch's records) or "lineage" (each request's latest result across the lineage).`,
      "scope",
    );
  }
  const route = parseRoute(body.route, o.routes);
  const fields = parseOverrides(body.overrides);
  // A Bedrock batch names its model on the job, not in each body (modelInput has no model field).
  let bedrockModel: string | null = null;
  let overrides: BodyOverrides = fields.map(([name, value]) => [name, JSON.stringify(value)] as const);
  if (parent.format === "bedrock") {
    const model = fields.find(([name]) => name === "model")?.[1];
    if (model !== undefined) {
      if (typeof model !== "string" || model === "")
        throw invalidRequest("'overrides.model' must be a model id.", "overrides");
      bedrockModel = model;
      overrides = overrides.filter(([name]) => name !== "model");
    }
    checkBedrockModel(bedrockModel ?? parent.model, route, o.routes);
  }
  const window =
    parent.format === "anthropic"
      ? ANTHROPIC_WINDOW
      : parseWindow(body.completion_window ?? parent.completionWindow, o.maxCompletionWindowMs);
  return {
    selection,
    overrides,
    bedrockModel,
    route,
    scope,
    completionWindow: window,
    windowMs: parseDuration(window)!,
    budget: parseBudgetFields(body),
    dedup: parseDedupOptions(body, o.headers),
  };
}

function parseRoute(value: unknown, routes: RouteTable | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value === "")
    throw invalidRequest("'route' must be a route's name.", "route");
  if (!routes?.byName(value)) {
    const names = routes?.routes.map((r) => r.name).join(", ") || "none";
    throw new DocketError(
      "route_not_found",
      `No route is named ${JSON.stringify(value)} (routes: ${names}).`,
      400,
      "route",
    );
  }
  return value;
}

function parseOverrides(value: unknown): Array<[string, unknown]> {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) {
    throw invalidRequest(
      `'overrides' must be an object of body fields, e.g. {"max_tokens": 2048}.`,
      "overrides",
    );
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_OVERRIDES) {
    throw invalidRequest(
      `'overrides' may set at most ${MAX_OVERRIDES} fields; got ${entries.length}.`,
      "overrides",
    );
  }
  for (const [name] of entries) {
    if (name === "") throw invalidRequest("'overrides' has an empty field name.", "overrides");
  }
  return entries;
}

/** A Bedrock batch's model must still (or newly) be served by its route, as at creation. */
function checkBedrockModel(model: string | null, route: string | null, routes: RouteTable | undefined): void {
  if (!model) throw invalidRequest("This Bedrock batch names no model; set 'overrides.model'.", "overrides");
  const target = route ? routes?.byName(route) : routes?.resolve(model);
  if (!target) {
    throw new DocketError(
      "model_not_found",
      `No route serves the model ${JSON.stringify(model)}.`,
      400,
      "overrides",
    );
  }
  try {
    planBridge(bedrockInvokeEndpoint(model), target);
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    throw new DocketError("unsupported_by_route", error.reason, 400, route ? "route" : "overrides");
  }
}

function parseWindow(value: unknown, maxMs: number): string {
  const ms = typeof value === "string" ? parseDuration(value) : undefined;
  if (typeof value !== "string" || ms === undefined) {
    throw invalidRequest(
      `'completion_window' must be a duration such as '24h', '90m' or '30s'; got ${JSON.stringify(value)}.`,
      "completion_window",
    );
  }
  if (ms > maxMs) {
    throw invalidRequest(
      `'completion_window' may be at most ${maxMs} ms on this server (server.maxCompletionWindowMs); got '${value}'.`,
      "completion_window",
    );
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
