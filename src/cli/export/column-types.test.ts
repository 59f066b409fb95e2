import { describe, expect, it } from "vitest";
import { ColumnTypeInference, columnTypeOfSchema, schemaColumnTypes, typedCell } from "./column-types.js";

describe("columnTypeOfSchema", () => {
  it.each([
    [{ type: "string" }, "string"],
    [{ type: "integer" }, "int64"],
    [{ type: "number" }, "double"],
    [{ type: "boolean" }, "boolean"],
    [{ type: "array", items: { type: "string" } }, "json"],
    [{ type: "object", properties: {} }, "json"],
    [{ type: ["integer", "null"] }, "int64"],
    [{ type: ["integer", "number"] }, "double"],
    [{ type: ["string", "integer"] }, "json"],
    [{ enum: ["low", "high"] }, "string"],
    [{ enum: ["low", 2] }, "json"],
    [{ const: "fixed" }, "string"],
    [{ anyOf: [{ type: "string" }, { type: "integer" }] }, "json"],
    [{}, "json"],
    ["string", "json"],
  ])("%j → %s", (spec, type) => {
    expect(columnTypeOfSchema(spec)).toBe(type);
  });

  it("types each property of a response_format schema, and nothing without one", () => {
    const format = {
      type: "json_schema",
      json_schema: { schema: { properties: { topic: { type: "string" }, urgency: { type: "integer" } } } },
    };
    expect(schemaColumnTypes(format)).toEqual({ topic: "string", urgency: "int64" });
    expect(schemaColumnTypes({ type: "json_object" })).toBeNull();
    expect(schemaColumnTypes(undefined)).toBeNull();
  });
});

describe("typedCell", () => {
  it("gives int64 cells as bigints and keeps every other match as it is", () => {
    expect(typedCell(42, "int64")).toEqual({ ok: true, value: 42n });
    expect(typedCell(-(2 ** 53), "int64")).toEqual({ ok: true, value: -(2n ** 53n) });
    expect(typedCell(0.5, "double")).toEqual({ ok: true, value: 0.5 });
    expect(typedCell(3, "double")).toEqual({ ok: true, value: 3 });
    expect(typedCell("x", "string")).toEqual({ ok: true, value: "x" });
    expect(typedCell(false, "boolean")).toEqual({ ok: true, value: false });
    expect(typedCell({ a: [1] }, "json")).toEqual({ ok: true, value: { a: [1] } });
    expect(typedCell(null, "int64")).toEqual({ ok: true, value: null });
    expect(typedCell(undefined, "string")).toEqual({ ok: true, value: null });
  });

  it("says why a value is not of its column's type", () => {
    expect(typedCell("high", "int64")).toEqual({ ok: false, problem: 'expected an integer, got "high"' });
    expect(typedCell(1.5, "int64")).toEqual({ ok: false, problem: "expected an integer, got 1.5" });
    expect(typedCell(2 ** 63, "int64")).toMatchObject({ ok: false });
    expect(typedCell(7, "string")).toEqual({ ok: false, problem: "expected a string, got 7" });
    expect(typedCell("true", "boolean")).toEqual({ ok: false, problem: 'expected a boolean, got "true"' });
    expect(typedCell([1], "double")).toEqual({ ok: false, problem: "expected a number, got [1]" });
    const long = typedCell("x".repeat(100), "int64");
    expect(long.ok ? null : long.problem).toBe(`expected an integer, got "${"x".repeat(39)}…`);
  });
});

describe("ColumnTypeInference", () => {
  const infer = (...values: unknown[]) => {
    const column = new ColumnTypeInference();
    for (const v of values) column.observe(v);
    return column.type;
  };

  it("types a JSONL column from every value it holds, nulls aside", () => {
    expect(infer("a", null, "b")).toBe("string");
    expect(infer(1, 2, null)).toBe("int64");
    expect(infer(1, 2.5)).toBe("double");
    expect(infer(2 ** 64)).toBe("double");
    expect(infer(true, null, false)).toBe("boolean");
    expect(infer({ a: 1 })).toBe("json");
    expect(infer([1, 2])).toBe("json");
    expect(infer("a", 1)).toBe("json");
    expect(infer(true, 1)).toBe("json");
    expect(infer(null, undefined)).toBe("string");
    expect(infer()).toBe("string");
  });
});
