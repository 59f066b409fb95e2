/**
 * Child process of huge-line-memory.test.ts: validates a file holding one line of `HUGE_LINE_MB`
 * MB on a real SQLite store and blob directory, and prints how far the resident set rose above
 * idle while doing it (VmHWM, reset just before via /proc/self/clear_refs).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { LocalDirBlobStore } from "../../src/blobs/local-dir-blob-store.js";
import { RouteTable } from "../../src/routing/route-table.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { ValidationRunner } from "../../src/validation/validation-runner.js";

const mb = Number(process.env.HUGE_LINE_MB ?? 100);
const dir = mkdtempSync(join(tmpdir(), "docket-huge-line-"));
const store = openSqliteStore({ path: join(dir, "docket.db") });
const blobs = new LocalDirBlobStore(join(dir, "blobs"));

function* input(): Generator<Buffer> {
  yield Buffer.from(
    '{"custom_id":"huge","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"',
  );
  const block = Buffer.alloc(1024 * 1024, "x");
  for (let i = 0; i < mb; i++) yield block;
  yield Buffer.from(
    '"}]}}\n{"custom_id":"small","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}\n',
  );
}

const kb = (field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync("/proc/self/status", "utf8"))![1]);

try {
  const { bytes } = await blobs.put("files/f", Readable.from(input()));
  await store.insertFile({
    projectId: "default",
    id: "f",
    filename: "huge.jsonl",
    purpose: "batch",
    bytes,
    blobKey: "files/f",
    createdAt: Date.now(),
    expiresAt: null,
  });
  await store.insertJob({
    projectId: "default",
    id: "batch_huge",
    endpoint: "/v1/chat/completions",
    inputFileId: "f",
    completionWindow: "24h",
    metadata: null,
    createdAt: Date.now(),
    expiresAt: Date.now() + 86_400_000,
  });
  const runner = new ValidationRunner({
    store,
    blobs,
    routes: new RouteTable([
      {
        name: "r",
        models: ["*"],
        backend: { type: "openai", baseUrl: "http://127.0.0.1:9/v1" },
        concurrency: 1,
        timeoutMs: 1000,
        maxAttempts: 1,
      },
    ]),
    owner: "me",
    leaseMs: 60_000,
    maxAttemptsFor: () => 1,
    onValidated: () => {},
  });
  (globalThis as { gc?: () => void }).gc?.();
  const idle = kb("VmRSS");
  try {
    writeFileSync("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
  } catch {
    // Not allowed here: VmHWM then includes start-up, which only overstates the figure.
  }
  await runner.drain();
  const peak = kb("VmHWM");
  const job = await store.getJob("batch_huge");
  console.log(
    `RESULT ${JSON.stringify({ lineBytes: bytes, idleKb: idle, peakKb: peak, aboveIdleKb: peak - idle, status: job?.status, total: job?.counts.total, errors: job?.errors })}`,
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
