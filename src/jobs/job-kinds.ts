import type { BlobStore } from "../blobs/blob-store.js";
import type { RouteTable } from "../routing/route-table.js";
import type { Store } from "../store/store.js";
import { batchKind } from "./batch-kind.js";
import { invocationKind } from "./invocation-kind.js";
import type { JobKinds } from "./job-kind.js";

/** The registry of job kinds, built once per process by the composition root. */
export function jobKinds(deps: { store: Store; blobs: BlobStore; routes?: RouteTable }): JobKinds {
  return { batch: batchKind(deps), invocation: invocationKind(deps) };
}
