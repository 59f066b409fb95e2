import { describe, expect, it } from "vitest";
import { PathTable } from "./path-table.js";

function table() {
  return new PathTable<string>()
    .add("GET", "/v1/files", "list")
    .add("POST", "/v1/files", "create")
    .add("GET", "/v1/files/:id", "get")
    .add("DELETE", "/v1/files/:id", "delete")
    .add("GET", "/v1/files/:id/content", "content")
    .add("POST", "/v1/batches/:id/cancel", "cancel");
}

describe("PathTable", () => {
  it("matches static paths by method", () => {
    expect(table().match("GET", "/v1/files")).toEqual({ kind: "found", handler: "list", params: {} });
    expect(table().match("POST", "/v1/files")).toMatchObject({ handler: "create" });
  });

  it("captures named segments", () => {
    expect(table().match("GET", "/v1/files/file-abc/content")).toEqual({
      kind: "found",
      handler: "content",
      params: { id: "file-abc" },
    });
    expect(table().match("POST", "/v1/batches/batch_1/cancel")).toMatchObject({ params: { id: "batch_1" } });
  });

  it("decodes percent-encoded segments and rejects malformed ones", () => {
    expect(table().match("GET", "/v1/files/a%20b")).toMatchObject({ params: { id: "a b" } });
    expect(table().match("GET", "/v1/files/%E0%A4%A")).toEqual({ kind: "not_found" });
  });

  it("tolerates one trailing slash", () => {
    expect(table().match("GET", "/v1/files/")).toMatchObject({ handler: "list" });
  });

  it("reports a known path with another method as method_not_allowed, listing the allowed ones", () => {
    expect(table().match("PUT", "/v1/files/x")).toEqual({
      kind: "method_not_allowed",
      allow: ["GET", "DELETE"],
    });
  });

  it("reports unknown paths, empty params and wrong lengths as not_found", () => {
    expect(table().match("GET", "/v1/nothing")).toEqual({ kind: "not_found" });
    expect(table().match("GET", "/v1/files//content")).toEqual({ kind: "not_found" });
    expect(table().match("GET", "/v1/files/a/content/more")).toEqual({ kind: "not_found" });
    expect(table().match("GET", "/")).toEqual({ kind: "not_found" });
  });

  it("lists every route it holds, with its method and pattern", () => {
    const routes = table().routes();
    expect(routes).toHaveLength(6);
    expect(routes).toContainEqual({ method: "DELETE", pattern: "/v1/files/:id" });
    expect(routes).toContainEqual({ method: "POST", pattern: "/v1/batches/:id/cancel" });
  });
});
