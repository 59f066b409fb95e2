import { describe, expect, it } from "vitest";
import { csvLine } from "./csv-line.js";
import { parseJsonFields, schemaFieldNames } from "./json-fields.js";

describe("structured output fields", () => {
  it("takes the field names from a JSON-schema response_format", () => {
    const format = {
      type: "json_schema",
      json_schema: { name: "s", schema: { type: "object", properties: { issue: {}, score: {} } } },
    };
    expect(schemaFieldNames(format)).toEqual(["issue", "score"]);
    expect(schemaFieldNames({ type: "json_schema", json_schema: { schema: { type: "object" } } })).toEqual(
      [],
    );
    expect(schemaFieldNames({ type: "json_object" })).toBeNull();
    expect(schemaFieldNames(undefined)).toBeNull();
  });

  it("parses the schema's fields, fenced or not", () => {
    expect(parseJsonFields('{"issue":"wifi","score":3,"extra":1}', ["issue", "score"])).toEqual({
      values: { issue: "wifi", score: 3 },
      parseError: null,
    });
    expect(parseJsonFields('```json\n{"issue":"x"}\n```', ["issue"]).values).toEqual({ issue: "x" });
  });

  it("says why an output is not the schema's object", () => {
    expect(parseJsonFields('{"issue": "cut sh', ["issue"]).parseError).toMatch(/^not valid JSON: /);
    expect(parseJsonFields("[1,2]", ["issue"]).parseError).toBe("expected a JSON object, got an array");
    expect(parseJsonFields(null, ["issue"]).parseError).toBe("the response has no text");
  });
});

describe("csvLine", () => {
  it("quotes only what needs quoting and writes objects as JSON", () => {
    expect(csvLine(["a", 'say "hi"', "x,y", "two\nlines", null, 3, { k: [1] }])).toBe(
      'a,"say ""hi""","x,y","two\nlines",,3,"{""k"":[1]}"\n',
    );
    expect(csvLine(["a;b", "c,d"], ";")).toBe('"a;b";c,d\n');
  });
});
