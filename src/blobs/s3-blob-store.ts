import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { DocketError } from "../domain/errors.js";
import { BlobByteCount, type BlobStore } from "./blob-store.js";
import { DEFAULT_S3_TIMEOUTS, explainS3Error, type S3Timeouts, s3ClientTimeouts } from "./s3-timeouts.js";

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every key, e.g. `docket/`. */
  prefix?: string;
  /** For S3-compatible servers (MinIO, R2, Ceph…); AWS when absent. */
  endpoint?: string;
  region?: string;
  /** `bucket` in the path rather than the host name: most S3-compatible servers want this. */
  forcePathStyle?: boolean;
  /** Absent: the AWS SDK's default chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Bytes per multipart part (default 8 MiB; S3 refuses parts under 5 MiB but the last). */
  partSize?: number;
  /** Parts uploading at once; memory use is about (queueSize + 1) × partSize. */
  queueSize?: number;
  /** Connect, request and idle limits and tries per call (s3-timeouts.ts); defaults for those absent. */
  timeouts?: Partial<S3Timeouts>;
}

const MiB = 1024 * 1024;
const MIN_PART = 5 * MiB;
/** S3's limit on parts per upload. */
const MAX_PARTS = 10_000;

/**
 * Blobs in an S3-compatible bucket. A blob smaller than one part is a single PUT; a larger one
 * streams through a multipart upload with a bounded number of parts in memory, so a payload of
 * gigabytes costs megabytes. The object appears only when the upload completes: a failed or
 * too-large put aborts the upload and leaves nothing under the key.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly timeouts: S3Timeouts;

  constructor(options: S3BlobStoreOptions) {
    this.timeouts = { ...DEFAULT_S3_TIMEOUTS, ...options.timeouts };
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? "";
    this.partSize = options.partSize ?? 8 * MiB;
    this.queueSize = Math.max(1, options.queueSize ?? 2);
    if (this.partSize < MIN_PART) {
      throw new DocketError(
        "invalid_config",
        `S3 part size ${this.partSize} is below S3's minimum of ${MIN_PART} bytes.`,
      );
    }
    this.client = new S3Client({
      region: options.region ?? "us-east-1",
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Checksums only where S3 requires them: many S3-compatible servers reject or mishandle
      // the newer flexible-checksum headers that the SDK would otherwise add to every request.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...s3ClientTimeouts(this.timeouts),
    });
  }

  async put(
    key: string,
    source: Readable | AsyncIterable<Uint8Array | string>,
    options: { maxBytes?: number } = {},
  ): Promise<{ bytes: number }> {
    const objectKey = this.keyOf(key);
    const count = new BlobByteCount(options.maxBytes);
    const pending = new ChunkQueue();
    let upload: MultipartUpload | undefined;
    try {
      for await (const chunk of source) {
        pending.push(count.add(chunk));
        while (pending.length >= this.partSize) {
          upload ??= await MultipartUpload.start(this.client, this.bucket, objectKey, this.queueSize);
          // Awaiting here is the backpressure: the source is not read while parts are queued.
          await upload.send(pending.take(this.partSize));
        }
      }
      if (!upload) {
        const body = pending.take(pending.length);
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: objectKey,
            Body: body,
            ContentLength: body.byteLength,
          }),
        );
        return { bytes: count.bytes };
      }
      if (pending.length > 0) await upload.send(pending.take(pending.length));
      await upload.complete();
      return { bytes: count.bytes };
    } catch (err) {
      await upload?.abort();
      throw explainS3Error(err, this.timeouts, `store '${key}'`);
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      if (!(res.Body instanceof Readable)) throw new Error(`S3 returned no readable body for '${key}'.`);
      return res.Body;
    } catch (err) {
      if (isNotFound(err)) throw new DocketError("not_found", `No blob stored under '${key}'.`, 404);
      throw explainS3Error(err, this.timeouts, `read '${key}'`);
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers a delete of a missing key with success, which is what the contract wants.
    await this.client
      .send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }))
      .catch((err: unknown) => {
        throw explainS3Error(err, this.timeouts, `delete '${key}'`);
      });
  }

  /** Stops the client's sockets (idle keep-alive connections would otherwise hold the process). */
  close(): void {
    this.client.destroy();
  }

  /** The same key rules as the local store, so a key valid on one is valid on the other. */
  private keyOf(key: string): string {
    const parts = key.split("/");
    const bad =
      key.length === 0 ||
      key.includes("\\") ||
      key.includes("\0") ||
      parts.some((p) => p === "" || p === "." || p === "..");
    if (bad)
      throw new DocketError("invalid_blob_key", `Blob key '${key}' is not a valid relative path.`, 400);
    return this.prefix + key;
  }
}

/**
 * One multipart upload with at most `queueSize` parts in flight. The first failure is kept and
 * rethrown by the next send or by complete, so the caller aborts the whole upload.
 */
class MultipartUpload {
  private readonly parts: CompletedPart[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  private nextPart = 1;

  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    private readonly uploadId: string,
    private readonly queueSize: number,
  ) {}

  static async start(
    client: S3Client,
    bucket: string,
    key: string,
    queueSize: number,
  ): Promise<MultipartUpload> {
    const res = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    if (!res.UploadId) throw new Error(`S3 did not return an upload id for '${key}'.`);
    return new MultipartUpload(client, bucket, key, res.UploadId, queueSize);
  }

  async send(body: Buffer): Promise<void> {
    this.throwIfFailed();
    const partNumber = this.nextPart++;
    if (partNumber > MAX_PARTS) {
      throw new DocketError(
        "blob_too_many_parts",
        `The payload needs more than ${MAX_PARTS} parts; raise the S3 part size to store it.`,
        413,
      );
    }
    const upload = this.client
      .send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: this.key,
          UploadId: this.uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.byteLength,
        }),
      )
      .then((res) => {
        this.parts.push({ PartNumber: partNumber, ETag: res.ETag });
      })
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.inFlight.delete(upload);
      });
    this.inFlight.add(upload);
    while (this.inFlight.size >= this.queueSize) await Promise.race(this.inFlight);
    this.throwIfFailed();
  }

  async complete(): Promise<void> {
    await Promise.all(this.inFlight);
    this.throwIfFailed();
    const parts = [...this.parts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  }

  /** Best effort: the put already failed, and a bucket lifecycle rule can clean up leftovers. */
  async abort(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    await this.client
      .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId }))
      .catch(() => {});
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}

/** Incoming chunks, cut into parts of an exact size without copying more than once. */
class ChunkQueue {
  private chunks: Uint8Array[] = [];
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
  }

  take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const used = Math.min(head.byteLength, n - filled);
      out.set(head.subarray(0, used), filled);
      filled += used;
      if (used === head.byteLength) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
    }
    this.length -= n;
    return out;
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string } | undefined;
  return e?.name === "NoSuchKey" || e?.name === "NotFound";
}
