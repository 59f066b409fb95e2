import type { IncomingMessage, ServerResponse } from "node:http";
import { DocketError } from "../domain/errors.js";
import { speaksAnthropic, toAnthropicErrorResponse } from "./anthropic-errors.js";
import type { ApiDeps, Handler, RequestContext } from "./deps.js";
import { discardBody } from "./discard-body.js";
import { toErrorResponse } from "./errors.js";
import { addAdminKeyHandlers } from "./handlers/admin-keys.js";
import { addAnthropicBatchHandlers } from "./handlers/anthropic-batches.js";
import { addBatchLineageHandlers } from "./handlers/batch-lineage.js";
import { addBatchResultsHandlers } from "./handlers/batch-results.js";
import { addBatchHandlers } from "./handlers/batches.js";
import { addDashboardHandlers } from "./handlers/dashboard.js";
import { addEventHandlers } from "./handlers/events.js";
import { addFileHandlers } from "./handlers/files.js";
import { addInvocationHandlers } from "./handlers/invocations.js";
import { addProviderJobHandlers } from "./handlers/provider-jobs.js";
import { sendJson } from "./json.js";
import { KeyAuthenticator, type Principal } from "./key-auth.js";
import { PathTable } from "./path-table.js";
import { checkPathParams, parseQuery } from "./query.js";
import { QuotaError } from "./quotas.js";
import { DEFAULT_WEB_ROOT, isStaticPath, serveStatic } from "./static-assets.js";

export type { ApiDeps } from "./deps.js";

/** Paths anyone may call, even when an API key is configured (load balancer probes). */
const PUBLIC_PATHS = new Set(["/health"]);

/** Every route of the API; exported so the isolation test walks the real table (a new route is checked too). */
export function apiPaths(): PathTable<Handler> {
  const paths = new PathTable<Handler>();
  paths.add("GET", "/health", (ctx) => sendJson(ctx.res, 200, { status: "ok" }));
  addFileHandlers(paths);
  addBatchHandlers(paths);
  addProviderJobHandlers(paths);
  addBatchResultsHandlers(paths);
  addBatchLineageHandlers(paths);
  addAnthropicBatchHandlers(paths);
  addInvocationHandlers(paths);
  addEventHandlers(paths);
  addDashboardHandlers(paths);
  addAdminKeyHandlers(paths);
  return paths;
}

export function createApiHandler(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const paths = apiPaths();
  const webRoot = deps.dashboard?.webRoot ?? DEFAULT_WEB_ROOT;
  const now = deps.now ?? Date.now;
  const logError = deps.logError ?? ((err: unknown) => console.error("docket api: unexpected error", err));
  const apiKey = deps.config.apiKey;
  // Config loading refuses an empty key; this guards callers that build the config by hand, for
  // whom an empty key would otherwise mean "auth on" with a key nobody can send.
  if (apiKey === "") throw new DocketError("invalid_config", "server.apiKey is empty; set a key or null.");
  const auth = new KeyAuthenticator(deps.store, apiKey, now);

  const fail = (req: IncomingMessage, res: ServerResponse, err: unknown): void => {
    if (!(err instanceof DocketError) && !isClientGone(err)) logError(err, req);
    if (err instanceof QuotaError && err.retryAfterS !== null && !res.headersSent)
      res.setHeader("retry-after", String(err.retryAfterS));
    if (res.headersSent) {
      // Mid-stream there is no way to send an error body: cut the response so the client
      // sees a truncated download rather than a short one that looks complete.
      res.destroy();
      return;
    }
    // Anthropic's paths answer in Anthropic's error shape, so its SDK raises its own typed errors.
    const { status, body } = speaksAnthropic(pathOf(req))
      ? toAnthropicErrorResponse(err)
      : toErrorResponse(err);
    sendJson(res, status, body);
  };

  /** Answers a request with an error, dropping whatever body it still sends. */
  const refuser =
    (req: IncomingMessage, res: ServerResponse) =>
    (err: unknown): void => {
      discardBody(req, res);
      fail(req, res, err);
    };

  return (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? "GET";
    const refuse = refuser(req, res);
    try {
      // The dashboard's files are public: the browser loads the sign-in page before it has a key.
      if ((method === "GET" || method === "HEAD") && isStaticPath(path)) {
        serveStatic(req, res, path, webRoot).catch(refuse);
        return;
      }
      // The key is checked before matching the path, so a caller without it learns nothing about which
      // URLs exist (an unknown path answers 401, not 404).
      if (PUBLIC_PATHS.has(path)) {
        dispatch(req, res, method, url, q, path, OPEN);
        return;
      }
      auth.authenticate(req).then((principal) => dispatch(req, res, method, url, q, path, principal), refuse);
    } catch (err) {
      refuse(err);
    }
  };

  function dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: string,
    q: number,
    path: string,
    principal: Principal,
  ): void {
    const refuse = refuser(req, res);
    try {
      if (principal.role === "reader" && method !== "GET" && method !== "HEAD") {
        throw new DocketError(
          "permission_denied",
          `This API key (${principal.keyId ?? "?"}) has the reader role: it may only read, not ${method} ${path}.`,
          403,
        );
      }
      // Counted per project before anything is read: a flood is refused at its cheapest point.
      if (principal !== OPEN) deps.quotas?.takeRequest(principal.projectId, now());
      const match = paths.match(method, path);
      if (match.kind === "method_not_allowed") {
        discardBody(req, res);
        const err = new DocketError("method_not_allowed", `Method ${method} is not allowed on ${path}.`, 405);
        const { status, body } = speaksAnthropic(path) ? toAnthropicErrorResponse(err) : toErrorResponse(err);
        sendJson(res, status, body, { allow: match.allow.join(", ") });
        return;
      }
      if (match.kind === "not_found") {
        throw new DocketError("not_found", `Unknown request URL: ${method} ${path}.`, 404);
      }
      checkPathParams(match.params);
      const ctx: RequestContext = {
        req,
        res,
        params: match.params,
        query: parseQuery(q === -1 ? "" : url.slice(q + 1)),
        deps,
        now,
        principal,
      };
      const result = match.handler(ctx);
      if (result) result.catch(refuse);
    } catch (err) {
      refuse(err);
    }
  }
}

/** The caller of a public path (`/health`): no project's data is reachable from one. */
const OPEN: Principal = { projectId: "default", role: "reader", keyId: null, allProjects: false };

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

function isClientGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ECONNRESET" || code === "EPIPE";
}
