import { DocketError } from "../domain/errors.js";
import type { RoutePrice } from "./config.js";

/** Checks a route's `price` from the config file, naming the field that is wrong. */
export function checkRoutePrice(value: unknown, where: string): RoutePrice {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DocketError(
      "invalid_config",
      `${where} must be an object such as {"inputPerMTok": 0.15, "outputPerMTok": 0.6}.`,
    );
  }
  const v = value as Record<string, unknown>;
  const num = (key: string, optional = false): number | undefined => {
    const x = v[key];
    if (x === undefined && optional) return undefined;
    if (typeof x !== "number" || !Number.isFinite(x) || x < 0) {
      throw new DocketError(
        "invalid_config",
        `${where}.${key} must be a number ≥ 0 (USD per million tokens); got ${JSON.stringify(x ?? null)}.`,
      );
    }
    return x;
  };
  const price: RoutePrice = { inputPerMTok: num("inputPerMTok")!, outputPerMTok: num("outputPerMTok")! };
  const discount = num("batchDiscount", true);
  if (discount !== undefined) {
    if (discount > 1)
      throw new DocketError("invalid_config", `${where}.batchDiscount must be between 0 and 1.`);
    price.batchDiscount = discount;
  }
  return price;
}
