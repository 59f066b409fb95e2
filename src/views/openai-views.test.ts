import { describe, expect, it } from "vitest";
import type { StoredFile } from "../domain/file.js";
import type { Job } from "../domain/job.js";
import { toOpenAiBatch } from "./openai-batch.js";
import { toOpenAiFile } from "./openai-file.js";
import { toOpenAiList } from "./openai-list.js";

const file: StoredFile = {
  projectId: "default",
  id: "file-abc",
  filename: "in.jsonl",
  purpose: "batch",
  bytes: 123,
  blobKey: "files/file-abc",
  createdAt: 1_700_000_000_999,
  expiresAt: null,
};

const job: Job = {
  projectId: "default",
  id: "batch_1",
  kind: "batch",
  format: "openai",
  status: "failed",
  endpoint: "/v1/chat/completions",
  inputFileId: "file-abc",
  completionWindow: "24h",
  metadata: { team: "a" },
  outputFileId: null,
  errorFileId: "file-err",
  errors: [{ code: "invalid_json_line", message: "Line 3 is not JSON.", line: 3, param: null }],
  counts: { total: 10, completed: 7, failed: 3 },
  tally: { succeeded: 7, failed: 3, cancelled: 0, expired: 0 },
  usage: { inputTokens: 100, outputTokens: 40 },
  createdAt: 1_700_000_000_500,
  inProgressAt: 1_700_000_001_000,
  expiresAt: 1_700_086_400_500,
  finalizingAt: null,
  completedAt: null,
  failedAt: 1_700_000_002_400,
  expiredAt: null,
  cancellingAt: null,
  cancelledAt: null,
  model: "gpt-4o-mini",
  outputExpiresAfterSeconds: null,
};

describe("toOpenAiFile", () => {
  it("renders OpenAI's file object with times in seconds", () => {
    expect(toOpenAiFile(file)).toEqual({
      id: "file-abc",
      object: "file",
      bytes: 123,
      created_at: 1_700_000_000,
      filename: "in.jsonl",
      purpose: "batch",
      expires_at: null,
      status: "processed",
      status_details: null,
    });
    expect(toOpenAiFile({ ...file, expiresAt: 1_700_000_060_000 }).expires_at).toBe(1_700_000_060);
  });
});

describe("toOpenAiBatch", () => {
  it("renders every OpenAI batch field", () => {
    expect(toOpenAiBatch(job)).toEqual({
      id: "batch_1",
      object: "batch",
      endpoint: "/v1/chat/completions",
      model: "gpt-4o-mini",
      errors: {
        object: "list",
        data: [{ code: "invalid_json_line", message: "Line 3 is not JSON.", param: null, line: 3 }],
      },
      input_file_id: "file-abc",
      completion_window: "24h",
      status: "failed",
      output_file_id: null,
      error_file_id: "file-err",
      created_at: 1_700_000_000,
      in_progress_at: 1_700_000_001,
      expires_at: 1_700_086_400,
      finalizing_at: null,
      completed_at: null,
      failed_at: 1_700_000_002,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: 10, completed: 7, failed: 3 },
      metadata: { team: "a" },
      usage: {
        input_tokens: 100,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 40,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 140,
      },
    });
  });

  it("names the batch a retry was made from (Docket extension)", () => {
    expect(toOpenAiBatch({ ...job, parentJobId: "batch_0" }).parent_batch_id).toBe("batch_0");
    expect("parent_batch_id" in toOpenAiBatch(job)).toBe(false);
  });

  it("renders no errors as null", () => {
    expect(toOpenAiBatch({ ...job, errors: null }).errors).toBeNull();
  });

  it("renders the model as null while validation has not read it", () => {
    expect(toOpenAiBatch({ ...job, status: "validating", model: null }).model).toBeNull();
  });
});

describe("toOpenAiList", () => {
  const rows = [{ id: "a" }, { id: "b" }, { id: "c" }];
  it("uses the extra row only to set has_more", () => {
    expect(toOpenAiList(rows, 2, (r) => r)).toEqual({
      object: "list",
      data: [{ id: "a" }, { id: "b" }],
      first_id: "a",
      last_id: "b",
      has_more: true,
    });
    expect(toOpenAiList(rows, 3, (r) => r).has_more).toBe(false);
  });
  it("gives null ids for an empty page", () => {
    expect(toOpenAiList([], 5, (r: { id: string }) => r)).toMatchObject({
      first_id: null,
      last_id: null,
      data: [],
    });
  });
});
