import { describe, expect, it } from "vitest";
import type { Outcome } from "../domain/record.js";
import { outcomeWrite } from "./outcome-write.js";
import { appendProviderResultColumns, PROVIDER_RESULT_COLUMNS } from "./provider-result-columns.js";

/** The values `recordResults` writes for an outcome (outcome-write.ts), in PROVIDER_RESULT_COLUMNS order. */
function viaOutcomeWrite(recordId: number, outcome: Outcome): unknown[] {
  const w = outcomeWrite({ recordId, attempt: 1, outcome }, 123);
  return [
    recordId,
    w.state,
    w.runAt,
    w.statusCode,
    w.requestId,
    w.body,
    w.errorCode,
    w.errorMessage,
    w.inputTokens,
    w.outputTokens,
    w.latencyMs,
  ];
}

describe("appendProviderResultColumns", () => {
  const outcomes: Array<[string, Outcome]> = [
    [
      "succeeded",
      {
        kind: "succeeded",
        response: { statusCode: 200, requestId: "req_1", body: '{"a": 1.0}' },
        usage: { inputTokens: 7, outputTokens: 3 },
      },
    ],
    [
      "succeeded without usage",
      { kind: "succeeded", response: { statusCode: 200, requestId: null, body: "{}" }, usage: null },
    ],
    [
      "failed with the provider's answer",
      {
        kind: "failed",
        response: { statusCode: 400, requestId: null, body: '{"error":{}}' },
        error: { code: "invalid_request_error", message: "bad" },
      },
    ],
    [
      "retry",
      { kind: "retry", runAt: 99, response: null, error: { code: "batch_expired", message: "again" } },
    ],
  ];

  it.each(outcomes)("writes what recordResults would for %s", (_, outcome) => {
    const row: unknown[] = [];
    appendProviderResultColumns(row, { recordId: 42, outcome });
    expect(row).toHaveLength(PROVIDER_RESULT_COLUMNS.length);
    expect(row).toEqual(viaOutcomeWrite(42, outcome));
  });

  it("appends row after row", () => {
    const rows: unknown[] = [];
    for (const [, outcome] of outcomes) appendProviderResultColumns(rows, { recordId: 1, outcome });
    expect(rows).toHaveLength(outcomes.length * PROVIDER_RESULT_COLUMNS.length);
  });
});
