import { readFile } from "node:fs/promises";
import type { RouteConfig } from "../config/config.js";
import { DocketError } from "../domain/errors.js";
import { RouteTable } from "../routing/route-table.js";

/** Price of a model in USD per million tokens; `model` is an exact name or a `*` glob. */
export interface ModelPrice {
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  /** Fraction taken off by the provider's batch API (0.5 = half price). */
  batchDiscount: number;
}

/**
 * List prices published by OpenAI and Anthropic (standard tier, checked 2025). Prices change:
 * pass `--prices FILE` to override or extend; entries there are matched before these. More
 * specific patterns come first because the first match wins.
 */
export const BUILTIN_PRICES: readonly ModelPrice[] = [
  { model: "gpt-5-nano*", inputPerMTok: 0.05, outputPerMTok: 0.4, batchDiscount: 0.5 },
  { model: "gpt-5-mini*", inputPerMTok: 0.25, outputPerMTok: 2, batchDiscount: 0.5 },
  { model: "gpt-5*", inputPerMTok: 1.25, outputPerMTok: 10, batchDiscount: 0.5 },
  { model: "gpt-4.1-nano*", inputPerMTok: 0.1, outputPerMTok: 0.4, batchDiscount: 0.5 },
  { model: "gpt-4.1-mini*", inputPerMTok: 0.4, outputPerMTok: 1.6, batchDiscount: 0.5 },
  { model: "gpt-4.1*", inputPerMTok: 2, outputPerMTok: 8, batchDiscount: 0.5 },
  { model: "gpt-4o-mini*", inputPerMTok: 0.15, outputPerMTok: 0.6, batchDiscount: 0.5 },
  { model: "gpt-4o*", inputPerMTok: 2.5, outputPerMTok: 10, batchDiscount: 0.5 },
  { model: "o4-mini*", inputPerMTok: 1.1, outputPerMTok: 4.4, batchDiscount: 0.5 },
  { model: "o3-mini*", inputPerMTok: 1.1, outputPerMTok: 4.4, batchDiscount: 0.5 },
  { model: "o3*", inputPerMTok: 2, outputPerMTok: 8, batchDiscount: 0.5 },
  { model: "text-embedding-3-small", inputPerMTok: 0.02, outputPerMTok: 0, batchDiscount: 0.5 },
  { model: "text-embedding-3-large", inputPerMTok: 0.13, outputPerMTok: 0, batchDiscount: 0.5 },
  { model: "claude-opus-4-5*", inputPerMTok: 5, outputPerMTok: 25, batchDiscount: 0.5 },
  { model: "claude-opus-4*", inputPerMTok: 15, outputPerMTok: 75, batchDiscount: 0.5 },
  { model: "claude-sonnet-4*", inputPerMTok: 3, outputPerMTok: 15, batchDiscount: 0.5 },
  { model: "claude-3-7-sonnet*", inputPerMTok: 3, outputPerMTok: 15, batchDiscount: 0.5 },
  { model: "claude-haiku-4-5*", inputPerMTok: 1, outputPerMTok: 5, batchDiscount: 0.5 },
  { model: "claude-3-5-haiku*", inputPerMTok: 0.8, outputPerMTok: 4, batchDiscount: 0.5 },
];

/** The first entry matching the model: overrides before the built-in table. */
export function findPrice(model: string, overrides: readonly ModelPrice[] = []): ModelPrice | null {
  const name = model.replace(/^(openai|anthropic)\//, "");
  for (const price of [...overrides, ...BUILTIN_PRICES]) {
    if (globMatches(price.model, name)) return price;
  }
  return null;
}

function globMatches(glob: string, name: string): boolean {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`).test(name);
}

/** Reads a JSON array of ModelPrice entries (`batchDiscount` defaults to 0). */
export async function loadPriceTable(path: string): Promise<ModelPrice[]> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new DocketError("invalid_prices", `Cannot read price table ${path}: ${(e as Error).message}`);
  }
  if (!Array.isArray(value))
    throw new DocketError("invalid_prices", `Price table ${path} must be a JSON array.`);
  return value.map((entry: unknown, i) => {
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    const num = (k: string, fallback?: number) => {
      const v = e[k] ?? fallback;
      if (typeof v !== "number" || v < 0) {
        throw new DocketError(
          "invalid_prices",
          `Price table ${path}, entry ${i + 1}: "${k}" must be a number ≥ 0.`,
        );
      }
      return v;
    };
    if (typeof e.model !== "string") {
      throw new DocketError(
        "invalid_prices",
        `Price table ${path}, entry ${i + 1}: "model" must be a string.`,
      );
    }
    const batchDiscount = num("batchDiscount", 0);
    if (batchDiscount > 1) {
      throw new DocketError(
        "invalid_prices",
        `Price table ${path}, entry ${i + 1}: "batchDiscount" must be ≤ 1.`,
      );
    }
    return {
      model: e.model,
      inputPerMTok: num("inputPerMTok"),
      outputPerMTok: num("outputPerMTok"),
      batchDiscount,
    };
  });
}

/**
 * The price an estimate uses: the `price` of the config route serving the model (what this
 * deployment pays), else the table (overrides first, then the built-in list prices).
 */
export function routeOrTablePrice(
  model: string,
  routes: readonly RouteConfig[] | undefined,
  overrides: readonly ModelPrice[] = [],
): ModelPrice | null {
  const route = routes && new RouteTable([...routes]).resolve(model);
  if (route?.price) {
    return {
      model,
      inputPerMTok: route.price.inputPerMTok,
      outputPerMTok: route.price.outputPerMTok,
      batchDiscount: route.price.batchDiscount ?? 0,
    };
  }
  return findPrice(model, overrides);
}
