import { describe, expect, it } from "vitest";
import { hrefWithQuery, jobHref, parseHash } from "./router.js";

describe("parseHash", () => {
  it("maps hashes to pages", () => {
    expect(parseHash("").page).toBe("jobs");
    expect(parseHash("#/jobs?status=failed").query.get("status")).toBe("failed");
    expect(parseHash("#/routes").page).toBe("routes");
    expect(parseHash("#/webhooks?job=batch_1").query.get("job")).toBe("batch_1");
    expect(parseHash("#/nope").page).toBe("not_found");
    expect(parseHash("#/jobs/%E0%A4%A").page).toBe("not_found");
  });

  it("round-trips ids with reserved characters exactly", () => {
    const id = "batch_a/b?c#d %";
    const loc = parseHash(jobHref(id));
    expect(loc).toMatchObject({ page: "job", id });
  });

  it("builds hrefs that drop empty filters", () => {
    expect(hrefWithQuery("/jobs", { status: "failed", model: "", kind: null })).toBe("#/jobs?status=failed");
    expect(hrefWithQuery("/jobs", {})).toBe("#/jobs");
  });
});
