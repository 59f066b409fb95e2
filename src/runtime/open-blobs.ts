import { join } from "node:path";
import type { BlobStore } from "../blobs/blob-store.js";
import { LocalDirBlobStore } from "../blobs/local-dir-blob-store.js";
import type { DocketConfig } from "../config/config.js";

/**
 * The blob store a process uses: a local directory (`<dataDir>/blobs` by default; point every
 * process at the same shared mount when they run on several machines) or an S3-compatible
 * bucket, with credentials from the AWS SDK's usual chain (environment, profile, role). The
 * S3 client is loaded only for an S3 store: the AWS SDK is a large share of a start-up's modules.
 */
export async function openBlobs(config: DocketConfig): Promise<BlobStore> {
  const b = config.blobs;
  if (b.type === "s3") {
    const { S3BlobStore } = await import("../blobs/s3-blob-store.js");
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
