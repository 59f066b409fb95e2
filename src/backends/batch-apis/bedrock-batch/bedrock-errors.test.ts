import { describe, expect, it } from "vitest";
import { DocketError } from "../../../domain/errors.js";
import { explainBedrockError } from "./bedrock-errors.js";

const sdkError = (name: string, status: number) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

describe("explainBedrockError", () => {
  it("sorts control-plane errors into throttled, refused and unavailable", () => {
    expect(explainBedrockError(sdkError("ThrottlingException", 429), "create job x")).toMatchObject({
      code: "provider_throttled",
      httpStatus: 429,
      message: "Bedrock could not create job x: ThrottlingException: ThrottlingException happened",
    });
    expect(explainBedrockError(sdkError("ServiceQuotaExceededException", 400), "a").code).toBe(
      "provider_throttled",
    );
    expect(explainBedrockError(sdkError("ValidationException", 400), "a")).toMatchObject({
      code: "provider_refused",
      httpStatus: 400,
    });
    expect(explainBedrockError(sdkError("AccessDeniedException", 403), "a").code).toBe("provider_refused");
    expect(explainBedrockError(sdkError("InternalServerException", 500), "a").code).toBe(
      "provider_unavailable",
    );
    expect(explainBedrockError(new Error("socket hang up"), "a").code).toBe("provider_unavailable");
  });

  it("passes a DocketError through", () => {
    const e = new DocketError("x", "y");
    expect(explainBedrockError(e, "a")).toBe(e);
  });
});
