import type { ValidationError } from "../domain/job.js";

/** Longest message kept on a batch's error (UTF-8 bytes). */
export const MAX_MESSAGE_BYTES = 1024;
/** Longest user value quoted inside a message (characters); longer ones are elided. */
const MAX_QUOTED_CHARS = 80;

/**
 * A user value for a message, cut to a short head with what was elided said, so a 1 MB
 * custom_id makes a short message, not a 1 MB one.
 */
export function quoteValue(value: string): string {
  if (value.length <= MAX_QUOTED_CHARS) return value;
  return `${value.slice(0, MAX_QUOTED_CHARS)}… (${value.length - MAX_QUOTED_CHARS} more characters)`;
}

/** Cuts a message to MAX_MESSAGE_BYTES, marking the cut. */
export function capMessage(message: string): string {
  if (message.length * 3 <= MAX_MESSAGE_BYTES || Buffer.byteLength(message) <= MAX_MESSAGE_BYTES)
    return message;
  // Cut on characters, then trim until it fits (a few passes at most).
  let cut = message.slice(0, MAX_MESSAGE_BYTES - 20);
  while (Buffer.byteLength(cut) > MAX_MESSAGE_BYTES - 20) cut = cut.slice(0, -16);
  return `${cut}… (message cut)`;
}

/**
 * The problems of one input file, bounded: the first `maxListed` in full, then only counted.
 * `list()` adds one `too_many_errors` entry with the total and the count per code when some
 * were left out, so a file with a million bad lines makes a small batch object.
 */
export class ErrorList {
  private readonly listed: ValidationError[] = [];
  private readonly byCode = new Map<string, number>();
  private total = 0;

  constructor(private readonly maxListed: number) {}

  get count(): number {
    return this.total;
  }

  add(e: ValidationError): void {
    this.total++;
    this.byCode.set(e.code, (this.byCode.get(e.code) ?? 0) + 1);
    if (this.listed.length < this.maxListed) this.listed.push({ ...e, message: capMessage(e.message) });
  }

  list(): ValidationError[] {
    if (this.total <= this.listed.length) return [...this.listed];
    const codes = [...this.byCode]
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code} ${n}`)
      .join(", ");
    const summary: ValidationError = {
      code: "too_many_errors",
      message: capMessage(
        `${this.total} problems in the file; the first ${this.listed.length} are listed. By code: ${codes}.`,
      ),
      line: null,
      param: null,
    };
    return [...this.listed, summary];
  }
}
