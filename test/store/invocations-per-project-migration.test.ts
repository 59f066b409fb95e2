import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { NewInvocation } from "../../src/domain/invocation.js";
import { migration0001 } from "../../src/store/sqlite/migrations/0001-initial.js";
import { migration0002 } from "../../src/store/sqlite/migrations/0002-leaders-workers.js";
import { migration0003 } from "../../src/store/sqlite/migrations/0003-invocations-webhooks.js";
import { migration0004 } from "../../src/store/sqlite/migrations/0004-job-budgets.js";
import { migration0005 } from "../../src/store/sqlite/migrations/0005-exact-input.js";
import { migration0006 } from "../../src/store/sqlite/migrations/0006-body-parts.js";
import { migration0007 } from "../../src/store/sqlite/migrations/0007-plain-invocation-endpoint.js";
import { migration0008 } from "../../src/store/sqlite/migrations/0008-job-format.js";
import { migration0009 } from "../../src/store/sqlite/migrations/0009-dashboard.js";
import { openSqliteDatabase } from "../../src/store/sqlite/sqlite-driver.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { T0 } from "../store-contract/fixtures.js";

/**
 * Migration 0010 (issue 15) rebuilds SQLite's invocations table so an inference id is unique per
 * project: an invocation made before keeps its row, its idempotency key (now the default
 * project's) and the trigger that deletes it with its job.
 */
describe("upgrade to per-project inference ids: sqlite (migration 0010)", () => {
  it("keeps existing invocations, keyed in the default project", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "docket-migrate-")), "docket.db");
    const db = openSqliteDatabase(path);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
    const before = [
      migration0001,
      migration0002,
      migration0003,
      migration0004,
      migration0005,
      migration0006,
      migration0007,
      migration0008,
      migration0009,
    ];
    before.forEach((sql, i) => {
      db.exec(sql);
      db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)").run(i + 1, T0);
    });
    db.prepare(
      `INSERT INTO jobs (id, kind, status, priority, endpoint, input_file_id, completion_window, total, created_at,
         in_progress_at, expires_at)
       VALUES ('inv_old', 'invocation', 'in_progress', 10, '/v1/chat/completions', 'file-in', '60s', 1, ?, ?, ?)`,
    ).run(T0, T0, T0 + 86_400_000);
    db.prepare(
      `INSERT INTO invocations (job_id, inference_id, model, route, input_bytes, ttl_until, timeout_ms, custom_attributes)
       VALUES ('inv_old', 'caller-1', 'm', 'r1', 1, ?, 5000, 'trace=1')`,
    ).run(T0 + 60_000);
    db.prepare(
      `INSERT INTO records (job_id, position, line, custom_id, route, body, max_attempts)
       VALUES ('inv_old', 0, 1, 'caller-1', 'r1', '{}', 3)`,
    ).run();
    db.close();

    const store = await openSqliteStore({ path });
    try {
      const old = await store.getInvocation("caller-1", "default");
      expect(old).toMatchObject({
        inferenceId: "caller-1",
        customAttributes: "trace=1",
        job: { id: "inv_old" },
      });
      const again = await store.insertInvocation(newInvocation("default", "inv_new"));
      expect(again).toMatchObject({ created: false, invocation: { job: { id: "inv_old" } } });
      const elsewhere = await store.insertInvocation(newInvocation("p2", "inv_p2"));
      expect(elsewhere).toMatchObject({
        created: true,
        invocation: { job: { id: "inv_p2", projectId: "p2" } },
      });
    } finally {
      await store.close();
    }
    // The rebuilt table's rows still go with their job.
    const raw = openSqliteDatabase(path);
    raw.exec("DELETE FROM jobs WHERE id = 'inv_old'");
    const left = raw.prepare("SELECT job_id FROM invocations ORDER BY job_id").all() as Array<{
      job_id: string;
    }>;
    raw.close();
    expect(left.map((r) => r.job_id)).toEqual(["inv_p2"]);
  });
});

function newInvocation(projectId: string, id: string): NewInvocation {
  return {
    projectId,
    id,
    inferenceId: "caller-1",
    model: "m",
    route: "r1",
    endpoint: "/v1/chat/completions",
    inputFileId: "file-in",
    inputBytes: 1,
    body: "{}",
    maxAttempts: 3,
    ttlUntil: T0 + 60_000,
    timeoutMs: 5_000,
    customAttributes: null,
    webhookUrl: null,
    createdAt: T0,
    expiresAt: T0 + 86_400_000,
  };
}
