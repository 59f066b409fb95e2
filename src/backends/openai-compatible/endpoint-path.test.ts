import { describe, expect, it } from "vitest";
import { endpointPath, parseBaseUrl } from "./endpoint-path.js";

describe("endpointPath", () => {
  it("replaces the endpoint's /v1 with the base URL's path", () => {
    const base = parseBaseUrl("http://127.0.0.1:8000/v1");
    expect(base.origin).toBe("http://127.0.0.1:8000");
    expect(endpointPath(base, "/v1/chat/completions")).toBe("/v1/chat/completions");
    expect(endpointPath(parseBaseUrl("http://h:1/v1/"), "/v1/embeddings")).toBe("/v1/embeddings");
  });

  it("supports gateways with other prefixes and a query string", () => {
    const base = parseBaseUrl("https://gw.example/openai/deployments/d?api-version=2024-10-21");
    expect(base.origin).toBe("https://gw.example");
    expect(endpointPath(base, "/v1/chat/completions")).toBe(
      "/openai/deployments/d/chat/completions?api-version=2024-10-21",
    );
  });

  it("works with a bare host and endpoints without /v1", () => {
    const base = parseBaseUrl("http://localhost:9000");
    expect(endpointPath(base, "/v1/responses")).toBe("/responses");
    expect(endpointPath(base, "/custom/path")).toBe("/custom/path");
  });

  it("rejects what is not an http(s) URL", () => {
    expect(() => parseBaseUrl("localhost:8000")).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseBaseUrl("not a url")).toThrow(/not a URL/);
  });
});
