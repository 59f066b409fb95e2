/**
 * Something wrong with one row of a dataset, found before any money is spent. `line` is the
 * 1-based physical line where the row starts, so a person can open the file at that spot.
 */
export interface Problem {
  kind: "problem";
  code: ProblemCode;
  message: string;
  line: number;
  /** 1-based position of the row among the dataset's rows (header excluded); null if unknown. */
  rowNumber: number | null;
  customId: string | null;
}

export type ProblemCode =
  /** The reader could not parse the row (bad quoting, wrong column count, invalid JSON). */
  | "unparseable_row"
  /** A template placeholder names a field the row does not have. */
  | "missing_field"
  /** The id field is missing, empty, not a scalar, or not accepted by the chosen dialect. */
  | "invalid_custom_id"
  | "duplicate_custom_id"
  /** Input tokens + max_tokens exceed the context length and the policy is `reject`. */
  | "context_overflow";

export function problem(
  code: ProblemCode,
  message: string,
  line: number,
  rowNumber: number | null,
  customId: string | null = null,
): Problem {
  return { kind: "problem", code, message, line, rowNumber, customId };
}
