import type { DocketConfig } from "../../src/config/config.js";
import { dropSchema, freshSchemaName } from "../store/pg-test-db.js";

/**
 * Runs `body` against a fresh PostgreSQL schema at `url`, dropped afterwards whatever happens;
 * `tune` points a Docket config at it (a small pool: the suite's tests share one server).
 */
export async function onFreshSchema(
  url: string,
  body: (tune: (c: DocketConfig) => void) => Promise<void>,
): Promise<void> {
  const schema = freshSchemaName();
  try {
    await body((c) => {
      c.databaseUrl = url;
      c.databaseSchema = schema;
      c.databasePoolSize = 4;
    });
  } finally {
    await dropSchema(url, schema);
  }
}
