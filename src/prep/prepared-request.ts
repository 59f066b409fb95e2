import type { RequestPayload } from "./request-body.js";

/** A row turned into a validated, token-counted request, ready for any dialect's file. */
export type PreparedRequest = RequestPayload & {
  kind: "request";
  rowNumber: number;
  /** 1-based physical line where the row starts in the dataset. */
  line: number;
  customId: string;
  /** Input tokens as counted by the pipeline's tokenizer, chat overhead included. */
  inputTokens: number;
  /** True when `truncate:<field>` cut the row to fit the context. */
  truncated: boolean;
};
