import type { RouteConfig } from "../config/config.js";
import type { JobPrice } from "../domain/budget-stop.js";
import { findPrice, type ModelPrice } from "../prep/prices.js";
import { RouteTable } from "../routing/route-table.js";

/** The on-demand price of a model, or null when none is known. */
export type ModelPricing = (model: string) => JobPrice | null;

/** The built-in list prices (src/prep/prices.ts) and any overrides, first match wins. */
export function tablePricing(overrides: readonly ModelPrice[] = []): ModelPricing {
  return (model) => {
    const p = findPrice(model, overrides);
    return p && { inputPerMTok: p.inputPerMTok, outputPerMTok: p.outputPerMTok };
  };
}

/**
 * A route's own `price` first (what this deployment actually pays, e.g. a self-hosted model),
 * then the built-in table for the model name.
 */
export function routePricing(routes: RouteConfig[], fallback: ModelPricing = tablePricing()): ModelPricing {
  return routeTablePricing(new RouteTable(routes), fallback);
}

/** routePricing over a route table already built (the API's). */
export function routeTablePricing(table: RouteTable, fallback: ModelPricing = tablePricing()): ModelPricing {
  return (model) => {
    const price = table.resolve(model)?.price;
    if (price) return { inputPerMTok: price.inputPerMTok, outputPerMTok: price.outputPerMTok };
    return fallback(model);
  };
}
