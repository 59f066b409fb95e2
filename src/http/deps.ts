import type { IncomingMessage, ServerResponse } from "node:http";
import type { BlobStore } from "../blobs/blob-store.js";
import type { ServerConfig } from "../config/config.js";
import type { Store } from "../store/store.js";
import type { Params } from "./router.js";

/** What the API needs from the rest of Docket; it holds no state of its own. */
export interface ApiDeps {
  store: Store;
  blobs: BlobStore;
  config: ServerConfig;
  /** Epoch milliseconds; injectable so tests control the clock. */
  now?: () => number;
  /** Wakes local workers sooner than their poll (polling stays the truth). */
  events: { workAvailable(): void };
  /** Where unexpected (500) errors are reported; defaults to console.error. */
  logError?: (err: unknown, req: IncomingMessage) => void;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Params;
  query: URLSearchParams;
  deps: ApiDeps;
  now: () => number;
}

export type RouteHandler = (ctx: RequestContext) => Promise<void> | void;
