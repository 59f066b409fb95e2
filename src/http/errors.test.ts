import { describe, expect, it } from "vitest";
import { BlobTooLargeError } from "../blobs/blob-store.js";
import { DocketError, invalidRequest, notFound } from "../domain/errors.js";
import { toErrorResponse } from "./errors.js";

describe("toErrorResponse", () => {
  it("keeps a DocketError's status, code and param", () => {
    expect(toErrorResponse(invalidRequest("bad endpoint", "endpoint"))).toEqual({
      status: 400,
      body: {
        error: {
          message: "bad endpoint",
          type: "invalid_request_error",
          param: "endpoint",
          code: "invalid_request_error",
        },
      },
    });
    expect(toErrorResponse(notFound("file", "file-x"))).toMatchObject({
      status: 404,
      body: { error: { code: "not_found", type: "invalid_request_error" } },
    });
    expect(toErrorResponse(new DocketError("unauthorized", "no key", 401))).toMatchObject({
      status: 401,
      body: { error: { type: "authentication_error" } },
    });
  });

  it("maps a too-large payload to 413 with the limit in the message", () => {
    const res = toErrorResponse(new BlobTooLargeError(1024));
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain("1024 bytes");
  });

  it("never leaks an unexpected error's message or stack", () => {
    const res = toErrorResponse(new Error("SQLITE_CORRUPT at /secret/path"));
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain("secret");
    expect(res.body.error.type).toBe("server_error");
  });
});
