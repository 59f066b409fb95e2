import type { RouteConfig } from "../config/config.js";
import type { JobPrice } from "../domain/budget-stop.js";
import { findPrice, type ModelPrice } from "../prep/prices.js";
import { RouteTable } from "../routing/route-table.js";

/**
 * The on-demand price of a model, or null when none is known; `batchDiscount`, when present, is
 * the fraction a provider batch API takes off that price (0.5: half), 0 when none is known.
 */
export type ModelPricing = ((model: string) => JobPrice | null) & {
  batchDiscount?: (model: string) => number;
};

/** The built-in list prices (src/prep/prices.ts) and any overrides, first match wins. */
export function tablePricing(overrides: readonly ModelPrice[] = []): ModelPricing {
  const price = (model: string) => {
    const p = findPrice(model, overrides);
    return p && { inputPerMTok: p.inputPerMTok, outputPerMTok: p.outputPerMTok };
  };
  return Object.assign(price, {
    batchDiscount: (model: string) => findPrice(model, overrides)?.batchDiscount ?? 0,
  });
}

/**
 * A route's own `price` first (what this deployment actually pays, e.g. a self-hosted model),
 * then the built-in table for the model name.
 */
export function routePricing(routes: RouteConfig[], fallback: ModelPricing = tablePricing()): ModelPricing {
  return routeTablePricing(new RouteTable(routes), fallback);
}

/**
 * routePricing over a route table already built (the API's). The batch discount follows the same
 * rule as the price (the route the model resolves to, then the table), as the cost report's does
 * (`GET /v1/batches/{id}/provider_jobs`), so a budget and the report agree.
 */
export function routeTablePricing(table: RouteTable, fallback: ModelPricing = tablePricing()): ModelPricing {
  const price = (model: string) => {
    const own = table.resolve(model)?.price;
    if (own) return { inputPerMTok: own.inputPerMTok, outputPerMTok: own.outputPerMTok };
    return fallback(model);
  };
  return Object.assign(price, {
    batchDiscount: (model: string) => {
      const own = table.resolve(model)?.price;
      if (own) return own.batchDiscount ?? 0;
      return fallback.batchDiscount?.(model) ?? 0;
    },
  });
}
