import { DocketError } from "../domain/errors.js";
import type { BlobsConfig } from "./config.js";
import { checkMs } from "./timeouts-config.js";

/**
 * Checks the `blobs` section of docket.config.json, so a typo in a bucket setting is reported
 * at start-up with the field that is wrong rather than on the first upload.
 */
export function parseBlobsConfig(value: unknown): BlobsConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid('blobs must be an object, e.g. {"type":"local"} or {"type":"s3","bucket":"docket"}.');
  }
  const v = value as Record<string, unknown>;
  if (v.type === "local") {
    if (v.dir !== undefined && (typeof v.dir !== "string" || v.dir.length === 0))
      throw invalid("blobs.dir must be a directory path.");
    return v.dir === undefined ? { type: "local" } : { type: "local", dir: v.dir as string };
  }
  if (v.type === "s3") {
    if (typeof v.bucket !== "string" || v.bucket.length === 0)
      throw invalid("blobs.bucket must name the S3 bucket that holds Docket's files.");
    const out: BlobsConfig = { type: "s3", bucket: v.bucket };
    for (const key of ["endpoint", "region", "prefix"] as const) {
      if (v[key] === undefined) continue;
      if (typeof v[key] !== "string") throw invalid(`blobs.${key} must be a string.`);
      out[key] = v[key] as string;
    }
    if (out.endpoint !== undefined && !/^https?:\/\//.test(out.endpoint))
      throw invalid("blobs.endpoint must be an http(s) URL such as http://127.0.0.1:9000.");
    if (v.forcePathStyle !== undefined) {
      if (typeof v.forcePathStyle !== "boolean") throw invalid("blobs.forcePathStyle must be true or false.");
      out.forcePathStyle = v.forcePathStyle;
    }
    for (const key of ["connectTimeoutMs", "requestTimeoutMs", "idleTimeoutMs"] as const) {
      if (v[key] === undefined) continue;
      checkMs(v[key], `blobs.${key}`, 1);
      out[key] = v[key] as number;
    }
    if (v.maxAttempts !== undefined) {
      if (!Number.isInteger(v.maxAttempts) || (v.maxAttempts as number) < 1 || (v.maxAttempts as number) > 20)
        throw invalid(
          `blobs.maxAttempts must be a whole number from 1 to 20 (got ${JSON.stringify(v.maxAttempts)}).`,
        );
      out.maxAttempts = v.maxAttempts as number;
    }
    return out;
  }
  throw invalid(`blobs.type must be "local" or "s3" (got ${JSON.stringify(v.type)}).`);
}

function invalid(message: string): DocketError {
  return new DocketError("invalid_config", message);
}
