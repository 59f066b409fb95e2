import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.js";
import { checkRoutePrice } from "./route-price.js";

describe("route price", () => {
  it("accepts USD per million tokens with an optional batch discount", () => {
    expect(checkRoutePrice({ inputPerMTok: 0.15, outputPerMTok: 0.6 }, "routes[0].price")).toEqual({
      inputPerMTok: 0.15,
      outputPerMTok: 0.6,
    });
    expect(checkRoutePrice({ inputPerMTok: 0, outputPerMTok: 0, batchDiscount: 0.5 }, "p")).toEqual({
      inputPerMTok: 0,
      outputPerMTok: 0,
      batchDiscount: 0.5,
    });
  });

  it("names the field that is wrong", () => {
    expect(() => checkRoutePrice({ inputPerMTok: -1, outputPerMTok: 1 }, "routes[2].price")).toThrow(
      /routes\[2\]\.price\.inputPerMTok must be a number ≥ 0/,
    );
    expect(() => checkRoutePrice({ inputPerMTok: 1 }, "p")).toThrow(/p\.outputPerMTok/);
    expect(() => checkRoutePrice({ inputPerMTok: 1, outputPerMTok: 1, batchDiscount: 2 }, "p")).toThrow(
      /batchDiscount must be between 0 and 1/,
    );
    expect(() => checkRoutePrice(5, "p")).toThrow(/must be an object/);
  });

  it("is read from the config file's routes", () => {
    const path = join(mkdtempSync(join(tmpdir(), "docket-price-")), "docket.config.json");
    const backend = { type: "openai", baseUrl: "http://127.0.0.1:8000/v1" };
    writeFileSync(
      path,
      JSON.stringify({
        routes: [
          { name: "local", models: ["local-*"], backend, price: { inputPerMTok: 0.02, outputPerMTok: 0.05 } },
          { name: "other", models: ["*"], backend },
        ],
      }),
    );
    const config = loadConfig({ configPath: path });
    expect(config.routes[0]!.price).toEqual({ inputPerMTok: 0.02, outputPerMTok: 0.05 });
    expect(config.routes[1]!.price).toBeUndefined();
  });
});
