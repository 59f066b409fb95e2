import { createReadStream } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { describePostgres, dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { chatBatchLines, parseJsonl, writeLines } from "../support/batch-files.js";
import { pollBatch, startTestDocket } from "../support/test-docket.js";

describePostgres("docket serve all-in-one on PostgreSQL", (url) => {
  it("runs a batch to completed, leading maintenance itself", async () => {
    const schema = freshSchemaName();
    const t = await startTestDocket({
      tune: (c) => {
        c.databaseUrl = url;
        c.databaseSchema = schema;
        c.databasePoolSize = 4;
      },
    });
    try {
      expect(t.docket.store.engine).toBe("postgres");
      const lines = chatBatchLines(500);
      const input = writeLines(join(t.dataDir, "in.jsonl"), lines);
      const file = await t.openai.files.create({ file: createReadStream(input), purpose: "batch" });
      const batch = await t.openai.batches.create({
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      });
      const done = await pollBatch(t.openai, batch.id, ["completed", "failed"], 60_000);
      expect(done.status).toBe("completed");
      const output = parseJsonl<{ custom_id: string }>(
        await (await t.openai.files.content(done.output_file_id!)).text(),
      );
      expect(output.map((l) => l.custom_id)).toEqual(lines.map((l) => JSON.parse(l).custom_id));
    } finally {
      await t.close();
      await dropSchema(url, schema);
    }
  }, 90_000);
});
