import { describe, expect, it } from "vitest";
import { Router } from "./router.js";

function router() {
  return new Router<string>()
    .add("GET", "/v1/files", "list")
    .add("POST", "/v1/files", "create")
    .add("GET", "/v1/files/:id", "get")
    .add("DELETE", "/v1/files/:id", "delete")
    .add("GET", "/v1/files/:id/content", "content")
    .add("POST", "/v1/batches/:id/cancel", "cancel");
}

describe("Router", () => {
  it("matches static paths by method", () => {
    expect(router().match("GET", "/v1/files")).toEqual({ kind: "found", handler: "list", params: {} });
    expect(router().match("POST", "/v1/files")).toMatchObject({ handler: "create" });
  });

  it("captures named segments", () => {
    expect(router().match("GET", "/v1/files/file-abc/content")).toEqual({
      kind: "found",
      handler: "content",
      params: { id: "file-abc" },
    });
    expect(router().match("POST", "/v1/batches/batch_1/cancel")).toMatchObject({ params: { id: "batch_1" } });
  });

  it("decodes percent-encoded segments and rejects malformed ones", () => {
    expect(router().match("GET", "/v1/files/a%20b")).toMatchObject({ params: { id: "a b" } });
    expect(router().match("GET", "/v1/files/%E0%A4%A")).toEqual({ kind: "not_found" });
  });

  it("tolerates one trailing slash", () => {
    expect(router().match("GET", "/v1/files/")).toMatchObject({ handler: "list" });
  });

  it("reports a known path with another method as method_not_allowed, listing the allowed ones", () => {
    expect(router().match("PUT", "/v1/files/x")).toEqual({
      kind: "method_not_allowed",
      allow: ["GET", "DELETE"],
    });
  });

  it("reports unknown paths, empty params and wrong lengths as not_found", () => {
    expect(router().match("GET", "/v1/nothing")).toEqual({ kind: "not_found" });
    expect(router().match("GET", "/v1/files//content")).toEqual({ kind: "not_found" });
    expect(router().match("GET", "/v1/files/a/content/more")).toEqual({ kind: "not_found" });
    expect(router().match("GET", "/")).toEqual({ kind: "not_found" });
  });
});
