import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, it } from "vitest";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { Store } from "../../src/store/store.js";

/**
 * PostgreSQL for tests: the server named by DOCKET_TEST_PG_URL (e.g.
 * postgres://postgres@127.0.0.1:5432/test), each store in a fresh schema dropped on close.
 * Unset: the suite is skipped with a message, except under CI, where it fails: a CI run that
 * silently skipped its PostgreSQL tests would pass without testing half the product.
 */
export function describePostgres(title: string, body: (url: string) => void): void {
  const url = process.env.DOCKET_TEST_PG_URL;
  if (url) {
    describe(title, () => body(url));
    return;
  }
  if (["true", "1"].includes((process.env.CI ?? "").toLowerCase())) {
    describe(title, () => {
      it("has a PostgreSQL server to test against", () => {
        throw new Error(
          "CI is set but DOCKET_TEST_PG_URL is not: set it to a reachable server, e.g. postgres://postgres@127.0.0.1:5432/test",
        );
      });
    });
    return;
  }
  console.warn(
    `skipping "${title}": set DOCKET_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it`,
  );
  describe.skip(`${title} (DOCKET_TEST_PG_URL unset)`, () => body(""));
}

export function freshSchemaName(): string {
  return `docket_test_${randomBytes(6).toString("hex")}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/** A raw connection with the schema on its search_path, for assertions the store does not expose. */
export async function withClient<T>(
  url: string,
  work: (client: pg.Client) => Promise<T>,
  schema?: string,
): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A store in its own new schema; closing it drops the schema. */
export async function openTestStore(url: string, schema = freshSchemaName()): Promise<Store> {
  const store = await openPostgresStore({ url, schema, poolSize: 4 });
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await dropSchema(url, schema);
  };
  return store;
}
