import { join } from "node:path";
import type { BlobStore } from "../blobs/blob-store.js";
import { LocalDirBlobStore } from "../blobs/local-dir-blob-store.js";
import { S3BlobStore } from "../blobs/s3-blob-store.js";
import type { DocketConfig } from "../config/config.js";

/**
 * The blob store a process uses: a local directory (`<dataDir>/blobs` by default; point every
 * process at the same shared mount when they run on several machines) or an S3-compatible
 * bucket, with credentials from the AWS SDK's usual chain (environment, profile, role).
 */
export function openBlobs(config: DocketConfig): BlobStore {
  const b = config.blobs;
  if (b.type === "s3") {
    return new S3BlobStore({
      bucket: b.bucket,
      ...(b.prefix !== undefined ? { prefix: b.prefix } : {}),
      ...(b.endpoint !== undefined ? { endpoint: b.endpoint } : {}),
      ...(b.region !== undefined ? { region: b.region } : {}),
      ...(b.forcePathStyle !== undefined ? { forcePathStyle: b.forcePathStyle } : {}),
      timeouts: {
        ...(b.connectTimeoutMs !== undefined ? { connectTimeoutMs: b.connectTimeoutMs } : {}),
        ...(b.requestTimeoutMs !== undefined ? { requestTimeoutMs: b.requestTimeoutMs } : {}),
        ...(b.idleTimeoutMs !== undefined ? { idleTimeoutMs: b.idleTimeoutMs } : {}),
        ...(b.maxAttempts !== undefined ? { maxAttempts: b.maxAttempts } : {}),
      },
    });
  }
  return new LocalDirBlobStore(b.dir ?? join(config.dataDir, "blobs"));
}
