import { describe, expect, it } from "vitest";
import { minimalInstance } from "./schema-instance.js";

describe("minimalInstance", () => {
  it("fills the required properties with the least each type allows", () => {
    const schema = {
      type: "object",
      properties: {
        city: { type: "string", minLength: 2 },
        unit: { type: "string", enum: ["celsius", "fahrenheit"] },
        days: { type: "integer", minimum: 1 },
        hourly: { type: "boolean" },
        tags: { type: "array", items: { type: "string" }, minItems: 1 },
        where: { type: "object", properties: { lat: { type: "number" } }, required: ["lat"] },
        note: { type: "string" },
      },
      required: ["city", "unit", "days", "hourly", "tags", "where"],
    };
    expect(minimalInstance(schema)).toEqual({
      city: "xx",
      unit: "celsius",
      days: 1,
      hourly: false,
      tags: [""],
      where: { lat: 0 },
    });
  });

  it("takes const, the first alternative and nullable types", () => {
    expect(minimalInstance({ const: "fixed" })).toBe("fixed");
    expect(minimalInstance({ anyOf: [{ type: "integer", exclusiveMinimum: 3 }, { type: "string" }] })).toBe(
      4,
    );
    expect(minimalInstance({ type: ["null", "string"] })).toBe("");
    expect(minimalInstance({})).toEqual({});
  });
});
