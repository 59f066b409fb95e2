import type { BlobStore } from "../blobs/blob-store.js";
import { type ModelPricing, routeTablePricing, tablePricing } from "../budget/job-pricing.js";
import type { JobPrice } from "../domain/budget-stop.js";
import { DocketError, invalidRequest } from "../domain/errors.js";
import type { StoredFile } from "../domain/file.js";
import { readInputLines } from "../validation/line-reader.js";
import type { ApiDeps } from "./deps.js";

/** A batch's spending cap from the Docket extension fields of `POST /v1/batches`. */
export interface BudgetRequest {
  budgetUsd: number;
  /** Null: maintenance prices the job from its route's `price` or the built-in table. */
  price: JobPrice | null;
}

/**
 * Reads `docket_budget_usd` (USD > 0) and the optional `docket_price`
 * (`{"input_per_mtok", "output_per_mtok"}`, USD per million tokens). Extra body fields are
 * ignored by OpenAI's SDK types but sent as given (`extra_body` / a spread), so any client can set them.
 */
export function parseBudgetFields(body: Record<string, unknown>): BudgetRequest | null {
  const budget = body.docket_budget_usd;
  const price = body.docket_price;
  if (budget === undefined || budget === null) {
    if (price !== undefined && price !== null)
      throw invalidRequest("'docket_price' is only used with 'docket_budget_usd'.", "docket_price");
    return null;
  }
  if (typeof budget !== "number" || !Number.isFinite(budget) || budget <= 0) {
    throw invalidRequest(
      `'docket_budget_usd' must be a number of US dollars > 0; got ${JSON.stringify(budget)}.`,
      "docket_budget_usd",
    );
  }
  if (price === undefined || price === null) return { budgetUsd: budget, price: null };
  const p = (typeof price === "object" && !Array.isArray(price) ? price : {}) as Record<string, unknown>;
  const rate = (key: string): number => {
    const v = p[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw invalidRequest(
        `'docket_price.${key}' must be a number ≥ 0 (USD per million tokens); got ${JSON.stringify(v ?? null)}.`,
        "docket_price",
      );
    }
    return v;
  };
  return {
    budgetUsd: budget,
    price: { inputPerMTok: rate("input_per_mtok"), outputPerMTok: rate("output_per_mtok") },
  };
}

/** How much of the input's first request is read at submission to find its model. */
const FIRST_LINE_MAX_BYTES = 1024 * 1024;

/**
 * Refuses a budget that could not be enforced (issue 17: refuse, do not stop later): with no
 * `docket_price`, the job is charged at the price of its first request's model (its route's
 * `price`, else the built-in table), so that model must have one. Reads only the file's first
 * request. When that cannot be read here (a first line over 1 MiB, not JSON: validation reports
 * it), the worker applies the same rule before the job's first request is sent.
 */
export async function refuseUnpricedBudget(
  budget: BudgetRequest | null,
  file: Pick<StoredFile, "id" | "blobKey">,
  blobs: BlobStore,
  pricing: ModelPricing,
): Promise<void> {
  if (!budget || budget.price) return;
  const model = modelOfLine(await firstRequestLine(blobs, file));
  if (model === null || pricing(model) !== null) return;
  throw new DocketError(
    "budget_price_unknown",
    `'docket_budget_usd' is set but no price is known for the model '${model}' (the first request of ` +
      `${file.id}), so the budget could not be enforced. Add "price" to the route that serves it in ` +
      `the config, or pass 'docket_price' ({"input_per_mtok", "output_per_mtok"}, USD per million tokens).`,
    400,
    "docket_budget_usd",
  );
}

async function firstRequestLine(blobs: BlobStore, file: Pick<StoredFile, "blobKey">): Promise<string | null> {
  const stream = await blobs.get(file.blobKey);
  try {
    for await (const lines of readInputLines(stream, FIRST_LINE_MAX_BYTES)) {
      for (const l of lines) {
        if (!("text" in l)) return null;
        if (l.text.trim() !== "") return l.text;
      }
    }
    return null;
  } finally {
    stream.destroy();
  }
}

function modelOfLine(line: string | null): string | null {
  if (line === null) return null;
  try {
    const body = (JSON.parse(line) as { body?: { model?: unknown } } | null)?.body;
    return typeof body?.model === "string" ? body.model : null;
  } catch {
    return null; // not JSON (or nested beyond what the parser takes): validation says so
  }
}

/** The prices the worker charges budgets at: the routes' `price`, then the built-in table. */
export function budgetPricing(deps: ApiDeps): ModelPricing {
  return deps.async ? routeTablePricing(deps.async.routes) : tablePricing();
}
