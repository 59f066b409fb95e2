import { type AwsError, isAwsError } from "../fake-bedrock/aws-error.js";
import { readObject } from "../fake-bedrock/body-checks.js";
import { readConverse } from "../fake-bedrock/converse-body.js";
import { type InvokeCall, readInvoke } from "../fake-bedrock/invoke-bodies.js";
import { modelFamily } from "../fake-bedrock/model-family.js";

export type FakeInvocationType = "InvokeModel" | "Converse";

/** One record of a job's input, as the fake read it. */
export interface FakeInputRecord {
  recordId: string;
  /** modelInput's JSON text, as it appears in the output line. */
  modelInput: string;
}

/** What happens to one record: an answer, or an error line. */
export type RecordFate = { kind: "answer" } | { kind: "error"; errorCode: number; errorMessage: string };

export interface ProcessedRecord {
  line: string;
  ok: boolean;
  inputTokens: number;
  outputTokens: number;
}

/**
 * One line of `input.jsonl.out`: the answer made by the fake Bedrock Runtime's own generators
 * (the same bodies InvokeModel or Converse would return), or `error: {errorCode, errorMessage}`
 * when the body is one Bedrock refuses or the record was picked to fail.
 */
export function processRecord(
  record: FakeInputRecord,
  modelId: string,
  invocation: FakeInvocationType,
  fate: RecordFate,
  outputTokens: number,
): ProcessedRecord {
  const head = `{"recordId":${JSON.stringify(record.recordId)},"modelInput":${record.modelInput}`;
  const errorLine = (errorCode: number, errorMessage: string): ProcessedRecord => ({
    line: `${head},"error":${JSON.stringify({ errorCode, errorMessage })}}`,
    ok: false,
    inputTokens: 0,
    outputTokens: 0,
  });
  if (fate.kind === "error") return errorLine(fate.errorCode, fate.errorMessage);
  const call = readCall(record.modelInput, modelId, invocation);
  if (isAwsError(call)) return errorLine(call.status, call.message);
  const answer = call.answer(outputTokens, record.recordId);
  return {
    line: `${head},"modelOutput":${answer.body}}`,
    ok: true,
    inputTokens: answer.inputTokens,
    outputTokens: answer.outputTokens,
  };
}

function readCall(
  modelInput: string,
  modelId: string,
  invocation: FakeInvocationType,
): InvokeCall | AwsError {
  const fields = readObject(modelInput);
  if (isAwsError(fields)) return fields;
  if (invocation === "Converse") return readConverse(modelId, fields);
  const family = modelFamily(modelId);
  if (isAwsError(family)) return family;
  return readInvoke(family, modelId, fields);
}

/**
 * An input line's record, or why the job's validation refuses the line (Bedrock fails the whole
 * job on a malformed input file).
 */
export function readInputLine(line: string, lineNumber: number): FakeInputRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return `Line ${lineNumber} of the input file is not valid JSON.`;
  }
  const f = parsed as Record<string, unknown> | null;
  if (typeof f !== "object" || f === null || Array.isArray(f))
    return `Line ${lineNumber} is not a JSON object.`;
  if (typeof f.recordId !== "string" || !/^[a-zA-Z0-9]{11}$/.test(f.recordId)) {
    return `Line ${lineNumber}: recordId must be an 11-character alphanumeric string.`;
  }
  if (typeof f.modelInput !== "object" || f.modelInput === null || Array.isArray(f.modelInput)) {
    return `Line ${lineNumber}: modelInput must be a JSON object.`;
  }
  return { recordId: f.recordId, modelInput: JSON.stringify(f.modelInput) };
}
