import type { Endpoint, JobFormat } from "../domain/job.js";
import type { FinishedRecord } from "../domain/record.js";

/**
 * The text of a retry's input line before and after its record's request body (the body goes
 * between, streamed when stored in parts), newline included, in the parent's own input format:
 * an OpenAI batch line, an Anthropic Message Batch request, or a Bedrock record. The custom id is
 * the literal the parent's input wrote (escapes included), so the child's ids are the same bytes.
 */
export function retryLineAround(format: JobFormat, endpoint: Endpoint, r: FinishedRecord): [string, string] {
  const id = r.customIdJson ?? JSON.stringify(r.customId);
  switch (format) {
    case "openai":
      return [`{"custom_id":${id},"method":"POST","url":${JSON.stringify(endpoint)},"body":`, "}\n"];
    case "anthropic":
      return [`{"custom_id":${id},"params":`, "}\n"];
    case "bedrock":
      // A record whose line had no recordId was given one from its line number; the child names it.
      return [`{"recordId":${id},"modelInput":`, "}\n"];
  }
}
