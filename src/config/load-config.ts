import { readFileSync } from "node:fs";
import { DocketError } from "../domain/errors.js";
import { checkAnthropicBackend } from "./anthropic-backend-config.js";
import {
  checkAutoBackend,
  checkAutoRoutes,
  checkBatchBackend,
  isBatchBackend,
} from "./batch-backend-config.js";
import { checkBedrockBackend } from "./bedrock-backend-config.js";
import { parseBlobsConfig } from "./blobs-config.js";
import { checkValidationLimits } from "./check-validation-limits.js";
import {
  type BackendConfig,
  DEFAULT_ROUTE_SETTINGS,
  type DocketConfig,
  defaultConfig,
  type RouteConfig,
} from "./config.js";
import { parseDedupConfig, routeDedupFlag } from "./dedup-config.js";
import { applyEventsConfig } from "./events-config.js";
import { checkProjectRoutes, parseProjectsConfig } from "./projects-config.js";
import { checkRoutePrice } from "./route-price.js";
import { resolveSecretRef } from "./secret-ref.js";
import { checkServerConfig } from "./server-config.js";
import { applyTimeoutsConfig } from "./timeouts-config.js";

/** What the CLI lets a person override without a file. */
export interface ConfigOverrides {
  configPath?: string;
  dataDir?: string;
  databaseUrl?: string;
  databaseSchema?: string;
  databasePoolSize?: number;
  /** `--blobs-dir DIR`: payloads in this (shared) directory. */
  blobsDir?: string;
  host?: string;
  port?: number;
  /** `--insecure-no-auth`: allow a keyless start on a non-loopback address. */
  insecureNoAuth?: boolean;
  /** `--backend URL`: every model routed to one OpenAI-compatible server. */
  backendUrl?: string;
  backendApiKey?: string;
}

/**
 * Reads `docket.config.json` (if given), fills defaults, applies CLI overrides, and checks the
 * result so a mistake is reported with the field that is wrong, at start-up, not mid-batch.
 */
export function loadConfig(o: ConfigOverrides = {}): DocketConfig {
  const config = defaultConfig();
  let file: Partial<Omit<DocketConfig, "routes">> & { routes?: Array<Partial<RouteConfig>> } = {};
  if (o.configPath) {
    try {
      file = JSON.parse(readFileSync(o.configPath, "utf8"));
    } catch (err) {
      throw new DocketError(
        "invalid_config",
        `Cannot read the config file ${o.configPath}: ${(err as Error).message}`,
      );
    }
  }
  if (file.dataDir) config.dataDir = file.dataDir;
  if (file.databaseUrl) config.databaseUrl = file.databaseUrl;
  if (file.databaseSchema) config.databaseSchema = file.databaseSchema;
  if (file.databasePoolSize !== undefined) config.databasePoolSize = file.databasePoolSize;
  if (file.blobs !== undefined) config.blobs = parseBlobsConfig(file.blobs);
  Object.assign(config.server, file.server ?? {});
  Object.assign(config.worker, file.worker ?? {});
  if (file.retention) Object.assign(config.retention, file.retention);
  applyEventsConfig(config, file);
  applyTimeoutsConfig(config, file);
  if (file.validation !== undefined) config.validation = checkValidationLimits(file.validation);
  if (file.projects !== undefined) config.projects = parseProjectsConfig(file.projects);
  if (file.dedup !== undefined) config.dedup = parseDedupConfig(file.dedup);
  config.routes = (file.routes ?? []).map((r, i) => normalizeRoute(r, i));
  if (o.dataDir) config.dataDir = o.dataDir;
  if (o.databaseUrl) config.databaseUrl = o.databaseUrl;
  if (o.databaseSchema) config.databaseSchema = o.databaseSchema;
  if (o.databasePoolSize !== undefined) config.databasePoolSize = o.databasePoolSize;
  if (o.blobsDir) config.blobs = { type: "local", dir: o.blobsDir };
  if (!Number.isInteger(config.databasePoolSize) || config.databasePoolSize < 1) {
    throw new DocketError(
      "invalid_config",
      `databasePoolSize must be a positive integer (got ${JSON.stringify(config.databasePoolSize)}).`,
    );
  }
  if (o.host) config.server.host = o.host;
  if (o.port !== undefined) config.server.port = o.port;
  if (o.insecureNoAuth) config.server.insecureNoAuth = true;
  checkServerConfig(config.server);
  if (o.backendUrl) {
    config.routes.push(
      normalizeRoute(
        {
          name: "default",
          models: ["*"],
          backend: { type: "openai", baseUrl: o.backendUrl, apiKey: o.backendApiKey },
        },
        config.routes.length,
      ),
    );
  }
  const names = new Set<string>();
  for (const r of config.routes) {
    if (names.has(r.name))
      throw new DocketError("invalid_config", `Two routes are named '${r.name}'; names must be unique.`);
    names.add(r.name);
  }
  checkAutoRoutes(config.routes);
  checkProjectRoutes(
    config.projects,
    config.routes.map((r) => r.name),
  );
  return config;
}

function normalizeRoute(r: Partial<RouteConfig>, index: number): RouteConfig {
  const where = `routes[${index}]`;
  if (!r.backend || typeof r.backend !== "object") {
    throw new DocketError(
      "invalid_config",
      `${where}.backend is required, e.g. {"type":"openai","baseUrl":"http://127.0.0.1:8000/v1"}.`,
    );
  }
  const backend = resolveSecrets(r.backend, where);
  const models = r.models ?? (r.name ? [r.name] : undefined);
  if (!Array.isArray(models) || models.length === 0) {
    throw new DocketError(
      "invalid_config",
      `${where}.models must list the model names (or globs like "gpt-4o*") it serves.`,
    );
  }
  const route: RouteConfig = {
    name: r.name ?? `route-${index}`,
    models,
    backend,
    concurrency: r.concurrency ?? DEFAULT_ROUTE_SETTINGS.concurrency,
    timeoutMs: r.timeoutMs ?? DEFAULT_ROUTE_SETTINGS.timeoutMs,
    maxAttempts: r.maxAttempts ?? DEFAULT_ROUTE_SETTINGS.maxAttempts,
  };
  if (r.contextLength !== undefined) route.contextLength = r.contextLength;
  if (r.adaptive !== undefined) route.adaptive = Boolean(r.adaptive);
  if (r.rpm !== undefined) route.rpm = r.rpm;
  if (r.tpm !== undefined) route.tpm = r.tpm;
  if (r.headersTimeoutMs !== undefined) route.headersTimeoutMs = r.headersTimeoutMs;
  if (r.bodyTimeoutMs !== undefined) route.bodyTimeoutMs = r.bodyTimeoutMs;
  if (r.price !== undefined) route.price = checkRoutePrice(r.price, `${where}.price`);
  const dedup = routeDedupFlag(r.dedup, `${where}.dedup`);
  if (dedup !== undefined) route.dedup = dedup;
  const cache = routeDedupFlag(r.cache, `${where}.cache`);
  if (cache !== undefined) route.cache = cache;
  for (const key of [
    "concurrency",
    "timeoutMs",
    "maxAttempts",
    "rpm",
    "tpm",
    "headersTimeoutMs",
    "bodyTimeoutMs",
  ] as const) {
    if (route[key] === undefined) continue;
    if (!Number.isInteger(route[key]) || (route[key] as number) < 1) {
      throw new DocketError(
        "invalid_config",
        `${where}.${key} must be a positive integer (got ${JSON.stringify(route[key])}).`,
      );
    }
  }
  return route;
}

/** `"apiKey": "env:OPENAI_API_KEY"` reads the key from the environment, so configs hold no secrets. */
function resolveSecrets(b: BackendConfig, where: string): BackendConfig {
  if (b.type === "openai") {
    if (typeof b.baseUrl !== "string" || !/^https?:\/\//.test(b.baseUrl)) {
      throw new DocketError(
        "invalid_config",
        `${where}.backend.baseUrl must be an http(s) URL such as http://127.0.0.1:8000/v1.`,
      );
    }
    if (typeof b.apiKey === "string")
      return { ...b, apiKey: resolveSecretRef(b.apiKey, `${where}.backend.apiKey`) };
    return b;
  }
  if (b.type === "anthropic") return checkAnthropicBackend(b, `${where}.backend`);
  if (b.type === "bedrock") return checkBedrockBackend(b, `${where}.backend`);
  if (isBatchBackend(b)) return checkBatchBackend(b, `${where}.backend`);
  if (b.type === "auto") return checkAutoBackend(b, `${where}.backend`);
  if (b.type === "llamacpp") {
    if (typeof b.model !== "string")
      throw new DocketError("invalid_config", `${where}.backend.model must be the path of a GGUF file.`);
    return b;
  }
  throw new DocketError(
    "invalid_config",
    `${where}.backend.type must be "openai", "llamacpp", "anthropic" or "bedrock".`,
  );
}
