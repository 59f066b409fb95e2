import { BridgeError } from "../bridge/bridge-error.js";
import { type Bridge, type BridgeRoute, planBridge } from "../bridge/plan-bridge.js";
import type { Outcome } from "../domain/record.js";

/** A request as a provider's batch API takes it, or why it cannot go there. */
export type ProviderRequest =
  | { endpoint: string; body: string }
  | { refused: { code: "unsupported_by_route"; message: string } };

/**
 * Bridging on a provider batch route (docs/provider-batch.md, "Bridging"), the way on-demand
 * routes bridge (jobs/bridged-request.ts): a record whose endpoint the provider's batch API does
 * not speak goes in translated into its dialect (OpenAI chat ↔ Anthropic Messages ↔ Bedrock
 * Converse / Claude InvokeModel), and its answer comes back translated into the record's. A
 * record the provider speaks goes byte for byte. The bridge of an endpoint is planned once.
 */
export class BatchBridges {
  private readonly byEndpoint = new Map<string, Bridge | null | BridgeError>();

  constructor(readonly route: BridgeRoute) {}

  /** The bridge for records of `endpoint`: null when the provider speaks it. Throws BridgeError. */
  bridgeFor(endpoint: string): Bridge | null {
    let planned = this.byEndpoint.get(endpoint);
    if (planned === undefined) {
      try {
        planned = planBridge(endpoint, this.route);
      } catch (error) {
        if (!(error instanceof BridgeError)) throw error;
        planned = error;
      }
      this.byEndpoint.set(endpoint, planned);
    }
    if (planned instanceof BridgeError) throw planned;
    return planned;
  }

  /**
   * What goes into the provider job's input for a record of `endpoint` with `body`: the body as
   * it is, or translated. Validation refuses what does not translate, so a refusal here is a
   * record validated under another configuration; it fails alone, like on-demand.
   */
  providerRequest(endpoint: string, body: string): ProviderRequest {
    try {
      const bridge = this.bridgeFor(endpoint);
      if (bridge === null) return { endpoint, body };
      const native = bridge.toNative(body);
      return { endpoint: native.endpoint, body: native.body };
    } catch (error) {
      if (!(error instanceof BridgeError)) throw error;
      return {
        refused: {
          code: "unsupported_by_route",
          message: `The request cannot be bridged to route '${this.route.name}': ${error.message}`,
        },
      };
    }
  }
}

/**
 * A bridged record's outcome in its job's dialect: a successful answer translated back (from the
 * request, translated again, which knows the model and the JSON-output tool to answer with);
 * failures pass as the provider gave them, as on-demand. An answer that cannot be translated
 * fails the record for good (`untranslatable_response`): sending it again would fail the same way.
 */
export function outcomeInJobDialect(bridge: Bridge, requestBody: string, outcome: Outcome): Outcome {
  if (outcome.kind !== "succeeded") return outcome;
  try {
    const body = bridge.toNative(requestBody).fromNative(outcome.response.body, outcome.response.requestId);
    return { ...outcome, response: { ...outcome.response, body } };
  } catch (error) {
    if (!(error instanceof BridgeError)) throw error;
    return {
      kind: "failed",
      response: outcome.response,
      error: {
        code: "untranslatable_response",
        message: `The provider's answer could not be translated back: ${error.message}`,
      },
    };
  }
}
