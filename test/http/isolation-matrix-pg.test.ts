import { afterAll } from "vitest";
import { describePostgres, dropSchema, freshSchemaName } from "../store/pg-test-db.js";
import { describeIsolationMatrix } from "./isolation-matrix.js";

describePostgres("project isolation on PostgreSQL", (url) => {
  const schema = freshSchemaName();
  afterAll(() => dropSchema(url, schema));
  describeIsolationMatrix("postgres", (c) => {
    c.databaseUrl = url;
    c.databaseSchema = schema;
    c.databasePoolSize = 4;
  });
});
