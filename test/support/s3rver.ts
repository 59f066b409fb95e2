import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** s3rver ships no types; this is the part of its API the tests use. */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer: Server;
}
type S3rverCtor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
}) => S3rverServer;
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverCtor;

export interface RunningS3rver {
  /** `http://127.0.0.1:PORT`: an S3 endpoint override (path-style addressing). */
  endpoint: string;
  /** The credentials s3rver accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

/** A real S3-compatible server on a free port, storing into a temporary folder. */
export async function startS3rver(buckets: string[]): Promise<RunningS3rver> {
  const directory = mkdtempSync(join(tmpdir(), "docket-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
