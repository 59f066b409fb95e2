import { BridgeError } from "../../bridge/bridge-error.js";
import { planBridge } from "../../bridge/plan-bridge.js";
import { DocketError, invalidRequest } from "../../domain/errors.js";
import { type BedrockInvokeEndpoint, bedrockInvokeEndpoint } from "../../domain/job.js";
import type { RouteTable } from "../../routing/route-table.js";

/** What a Bedrock batch file's job is created with. */
export interface BedrockBatchFields {
  format: "bedrock";
  model: string;
  endpoint: BedrockInvokeEndpoint;
}

/**
 * Docket's extension fields on `POST /v1/batches` for a Bedrock batch inference file:
 * `input_format: "bedrock"` and `model` (Bedrock names the model on the job, not on each line).
 * Null for OpenAI's own input (`input_format` absent or `"openai"`), which keeps OpenAI's rules.
 * The model must be served by a route whose backend can run Bedrock's InvokeModel bodies for it
 * (natively, or bridged for a Claude model), else the batch is refused here, before the file is read.
 */
export function parseBedrockBatchFields(
  body: Record<string, unknown>,
  routes: RouteTable | undefined,
): BedrockBatchFields | null {
  const format = body.input_format;
  if (format === undefined || format === null || format === "openai") return null;
  if (format !== "bedrock") {
    throw invalidRequest(
      `'input_format' must be "openai" (the default) or "bedrock"; got ${JSON.stringify(format)}. ` +
        "Anthropic Message Batches are created on /v1/messages/batches.",
      "input_format",
    );
  }
  const model = body.model;
  if (typeof model !== "string" || model === "" || model.includes("\u0000")) {
    throw invalidRequest(
      "'model' is required with input_format \"bedrock\": the Bedrock model id (or ARN) every record runs on.",
      "model",
    );
  }
  const endpoint = bedrockInvokeEndpoint(model);
  if (body.endpoint !== undefined && body.endpoint !== null && body.endpoint !== endpoint) {
    throw invalidRequest(
      `'endpoint' of a Bedrock batch is ${endpoint} (InvokeModel for its model) or left out; got ${JSON.stringify(body.endpoint)}.`,
      "endpoint",
    );
  }
  const route = routes?.resolve(model);
  if (!route) {
    throw new DocketError(
      "model_not_found",
      `No route serves the model ${JSON.stringify(model)} (add one to the config's "routes").`,
      400,
      "model",
    );
  }
  try {
    planBridge(endpoint, route);
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    throw new DocketError("unsupported_by_route", error.reason, 400, "model");
  }
  return { format: "bedrock", model, endpoint };
}
