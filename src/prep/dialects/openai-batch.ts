import type { PreparedRequest } from "../prepared-request.js";
import type { Dialect } from "./dialect.js";

/** A line of an OpenAI Batch API input file. */
export interface OpenAiBatchLine {
  custom_id: string;
  method: "POST";
  url: string;
  body: PreparedRequest["body"];
}

export const openAiBatchDialect: Dialect = {
  name: "openai",
  checkTemplate() {},
  checkCustomId: (id) => (id.length === 0 ? "custom_id must not be empty" : null),
  toLine: (r): OpenAiBatchLine => ({ custom_id: r.customId, method: "POST", url: r.endpoint, body: r.body }),
};
