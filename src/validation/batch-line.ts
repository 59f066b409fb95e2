import type { Endpoint, ValidationError } from "../domain/job.js";
import type { NewRecord } from "../domain/record.js";
import type { RouteTable } from "../routing/route-table.js";

/**
 * Checks one line of an OpenAI batch input file, as OpenAI does before a batch starts:
 * valid JSON, a unique `custom_id`, `method` POST, `url` equal to the batch endpoint, a body
 * object with a `model` that a configured route serves. Pure, so every rule is unit-tested.
 */
export function parseBatchLine(
  text: string,
  line: number,
  position: number,
  endpoint: Endpoint,
  routes: RouteTable,
  seenIds: Set<string>,
): NewRecord | ValidationError {
  const problem = (code: string, message: string, param: string | null = null): ValidationError => ({
    code,
    message: `Line ${line}: ${message}`,
    line,
    param,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return problem("invalid_json", `not valid JSON (${(err as Error).message}).`);
  }
  if (!isObject(parsed)) return problem("invalid_request", "each line must be a JSON object.");
  const { custom_id: customId, method, url, body } = parsed;
  if (typeof customId !== "string" || customId.length === 0) {
    return problem(
      "missing_required_parameter",
      "'custom_id' is required and must be a non-empty string.",
      "custom_id",
    );
  }
  if (seenIds.has(customId)) {
    return problem(
      "duplicate_custom_id",
      `the custom_id '${customId}' appears more than once in the file.`,
      "custom_id",
    );
  }
  if (method !== "POST") return problem("invalid_method", "'method' must be \"POST\".", "method");
  if (url !== endpoint) {
    return problem(
      "mismatched_endpoint",
      `the url ${JSON.stringify(url)} does not match the batch endpoint '${endpoint}'.`,
      "url",
    );
  }
  if (!isObject(body)) return problem("invalid_body", "'body' must be a JSON object.", "body");
  if (typeof body.model !== "string" || body.model.length === 0) {
    return problem("missing_required_parameter", "'body.model' is required.", "body.model");
  }
  const route = routes.resolve(body.model);
  if (!route) {
    return problem(
      "model_not_found",
      `no route serves the model '${body.model}' (add one to the config's "routes").`,
      "body.model",
    );
  }
  seenIds.add(customId);
  return { position, line, customId, route: route.name, body: JSON.stringify(body) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
