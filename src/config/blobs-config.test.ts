import { describe, expect, it } from "vitest";
import { parseBlobsConfig } from "./blobs-config.js";

describe("parseBlobsConfig", () => {
  it("accepts a local directory, with or without a path", () => {
    expect(parseBlobsConfig({ type: "local" })).toEqual({ type: "local" });
    expect(parseBlobsConfig({ type: "local", dir: "/mnt/shared" })).toEqual({
      type: "local",
      dir: "/mnt/shared",
    });
  });

  it("accepts an S3-compatible bucket and keeps only known settings", () => {
    expect(
      parseBlobsConfig({
        type: "s3",
        bucket: "docket",
        endpoint: "http://127.0.0.1:9000",
        region: "us-east-1",
        prefix: "prod/",
        forcePathStyle: true,
        extra: 1,
      }),
    ).toEqual({
      type: "s3",
      bucket: "docket",
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      prefix: "prod/",
      forcePathStyle: true,
    });
  });

  it.each([
    [null, /blobs must be an object/],
    [{ type: "ftp" }, /blobs.type must be "local" or "s3"/],
    [{ type: "s3" }, /blobs.bucket/],
    [{ type: "s3", bucket: "b", endpoint: "minio:9000" }, /blobs.endpoint/],
    [{ type: "s3", bucket: "b", forcePathStyle: "yes" }, /forcePathStyle/],
    [{ type: "local", dir: 3 }, /blobs.dir/],
  ])("refuses %j with a message naming the field", (value, message) => {
    expect(() => parseBlobsConfig(value)).toThrow(message);
  });
});
