import { describe, expect, it } from "vitest";
import { parseDedupOptions } from "./dedup-fields.js";

describe("parseDedupOptions", () => {
  it("reads the body fields, else the headers, else nothing", () => {
    expect(parseDedupOptions({}, {})).toBeUndefined();
    expect(parseDedupOptions(null, {})).toBeUndefined();
    expect(parseDedupOptions({ docket_dedup: true }, {})).toEqual({ dedup: true, cache: null });
    expect(parseDedupOptions({ docket_cache: false }, {})).toEqual({ dedup: null, cache: false });
    expect(parseDedupOptions(null, { "docket-dedup": "on", "docket-cache": "0" })).toEqual({
      dedup: true,
      cache: false,
    });
    expect(parseDedupOptions({ docket_dedup: false }, { "docket-dedup": "true" })).toEqual({
      dedup: false,
      cache: null,
    });
  });

  it("refuses anything but a yes or a no, naming the field", () => {
    expect(() => parseDedupOptions({ docket_dedup: "yes" }, {})).toThrow(
      "'docket_dedup' must be true or false",
    );
    expect(() => parseDedupOptions(null, { "docket-cache": "maybe" })).toThrow("Docket-Cache header");
  });
});
