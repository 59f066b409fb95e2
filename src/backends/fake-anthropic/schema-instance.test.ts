import { describe, expect, it } from "vitest";
import { schemaInstance } from "./schema-instance.js";

describe("schemaInstance", () => {
  it("fills an object's required properties only, each by its type", () => {
    const schema = {
      type: "object",
      properties: {
        city: { type: "string" },
        days: { type: "integer", minimum: 1 },
        celsius: { type: "boolean" },
        ratio: { type: "number", exclusiveMinimum: 0 },
        unit: { type: "string", enum: ["metric", "imperial"] },
        optional: { type: "string" },
      },
      required: ["city", "days", "celsius", "ratio", "unit"],
    };
    expect(schemaInstance(schema)).toEqual({
      city: "value",
      days: 1,
      celsius: false,
      ratio: 1,
      unit: "metric",
    });
  });

  it("builds arrays of minItems, nested objects, nullable types and const", () => {
    const schema = {
      type: "object",
      properties: {
        tags: { type: "array", items: { type: "string", minLength: 8 }, minItems: 2 },
        where: { type: "object", properties: { lat: { type: "number" } }, required: ["lat"] },
        note: { type: ["null", "string"] },
        kind: { const: "fixed" },
      },
      required: ["tags", "where", "note", "kind"],
    };
    expect(schemaInstance(schema)).toEqual({
      tags: ["valueeee", "valueeee"],
      where: { lat: 0 },
      note: "value",
      kind: "fixed",
    });
  });

  it("follows local $refs and the first anyOf branch, and ends on a recursive schema", () => {
    const schema = {
      type: "object",
      $defs: { node: { type: "object", properties: { next: { $ref: "#/$defs/node" } }, required: ["next"] } },
      properties: {
        root: { $ref: "#/$defs/node" },
        either: { anyOf: [{ type: "integer" }, { type: "string" }] },
      },
      required: ["root", "either"],
    };
    const instance = schemaInstance(schema) as { root: unknown; either: unknown };
    expect(instance.either).toBe(0);
    let depth = 0;
    let node = instance.root as { next?: unknown } | null;
    while (node && typeof node === "object") {
      node = node.next as { next?: unknown } | null;
      depth++;
    }
    expect(depth).toBeGreaterThan(5);
    expect(depth).toBeLessThan(40);
  });

  it("gives an empty object for a schema without required properties", () => {
    expect(schemaInstance({ type: "object", properties: { a: { type: "string" } } })).toEqual({});
    expect(schemaInstance({ type: "object" })).toEqual({});
  });
});
