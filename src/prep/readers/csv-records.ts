/**
 * A CSV record splitter over decoded text, written for speed on long quoted cells (indexOf
 * instead of a per-character state machine) and for exact line numbers: it knows where each
 * record starts, so a CRLF inside a quoted cell is never counted twice and a bad row is reported
 * on the line it starts on.
 *
 * Its rules are csv-parse's with the options Docket used before (`bom`, `skip_empty_lines`,
 * `skip_records_with_error`, quote and escape `"`), so the same file gives the same rows:
 * - the record delimiter is the first `\r\n`, `\n` or `\r` met outside quotes, and only it ends
 *   records afterwards (in an LF file a lone `\r` is data);
 * - a quote closes a quoted field only before a delimiter, the record delimiter or the end of
 *   the data; `""` inside quotes is one quote;
 * - a quote inside an unquoted field, or a closing quote followed by anything else, marks the
 *   record as bad; parsing goes on treating that quote as data (so a bad closing quote keeps
 *   the field open, and the following lines are swallowed up to the next quote), and the whole
 *   record is reported as one problem;
 * - a line with nothing on it is skipped.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based physical line (counted by `\n`) where the record starts, and where it ends. */
  line: number;
  endLine: number;
  /** The first thing wrong with the record (quoting), or null; column counts are checked by the caller. */
  error: string | null;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvRecordSplitter {
  /** Discovered from the first line break outside quotes; empty until then. */
  private recordDelimiter = "";
  /** Line number of the next unparsed character. */
  private line = 1;
  private readonly delimiter: number;

  constructor(
    delimiter: string,
    /** Names for error messages ("a quote is found on field "agent""), once the header is read. */
    public columns: string[] | null = null,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /**
   * Splits the complete records at the start of `text`, calling `onRecord` for each. Returns
   * where the first incomplete record starts (`text.length` when everything was consumed);
   * with `final`, the end of `text` is the end of the data and everything is consumed.
   */
  split(text: string, final: boolean, onRecord: (record: CsvRecord) => void): number {
    let pos = 0;
    const len = text.length;
    // The next "\n" at or after `pos`: one forward scan per call, whatever the record delimiter.
    let lf = text.indexOf("\n");
    const newlinesBefore = (end: number): number => {
      let n = 0;
      while (lf !== -1 && lf < end) {
        n++;
        lf = text.indexOf("\n", lf + 1);
      }
      return n;
    };
    while (pos < len) {
      // A line with nothing on it is not a record.
      const rd = this.recordDelimiterAt(text, pos, final);
      if (rd === -1) return pos;
      if (rd > 0) {
        pos += rd;
        this.line += newlinesBefore(pos);
        continue;
      }
      const record = this.parseRecord(text, pos, final);
      if (record === null) return pos;
      const startLine = this.line;
      this.line += newlinesBefore(record.end);
      const endLine = this.line - (record.endsWithLf ? 1 : 0);
      pos = record.end;
      onRecord({ fields: record.fields, line: startLine, endLine, error: record.error });
    }
    return pos;
  }

  /** Line of the next unparsed character: where a record that never completes would start. */
  get nextLine(): number {
    return this.line;
  }

  /**
   * Length of the record delimiter at `pos` (0: none; -1: cannot tell before more text comes).
   * Discovers it on the first line break.
   */
  private recordDelimiterAt(text: string, pos: number, final: boolean): number {
    const c = text.charCodeAt(pos);
    if (c !== LF && c !== CR) return 0;
    const rd = this.recordDelimiter;
    if (rd === "") {
      if (c === LF) return this.discover("\n");
      if (pos + 1 >= text.length && !final) return -1;
      return this.discover(text.charCodeAt(pos + 1) === LF ? "\r\n" : "\r");
    }
    if (rd === "\r\n") {
      if (c !== CR) return 0;
      if (pos + 1 >= text.length) return final ? 0 : -1;
      return text.charCodeAt(pos + 1) === LF ? 2 : 0;
    }
    return c === rd.charCodeAt(0) ? 1 : 0;
  }

  private discover(rd: string): number {
    this.recordDelimiter = rd;
    return rd.length;
  }

  private parseRecord(
    text: string,
    start: number,
    final: boolean,
  ): { fields: string[]; end: number; endsWithLf: boolean; error: string | null } | null {
    const len = text.length;
    const delimiter = this.delimiter;
    const fields: string[] = [];
    let error: string | null = null;
    let pos = start;
    for (;;) {
      let value: string;
      if (pos < len && text.charCodeAt(pos) === QUOTE) {
        // Quoted: copy the stretches between quotes, deciding at each quote what it is.
        value = "";
        let from = pos + 1;
        let at = from;
        for (;;) {
          const q = text.indexOf('"', at);
          if (q === -1) {
            if (!final) return null;
            error ??= "Quote Not Closed: the parsing is finished with an opening quote";
            value += text.slice(from);
            pos = len;
            break;
          }
          if (q + 1 >= len) {
            if (!final) return null;
            value += text.slice(from, q);
            pos = len;
            break;
          }
          const next = text.charCodeAt(q + 1);
          if (next === QUOTE) {
            value += text.slice(from, q + 1);
            from = at = q + 2;
            continue;
          }
          const rd = next === delimiter ? 1 : this.recordDelimiterAt(text, q + 1, final);
          if (rd === -1) return null;
          if (next === delimiter || rd > 0) {
            value += text.slice(from, q);
            pos = q + 1;
            break;
          }
          error ??=
            `Invalid Closing Quote: got "${String.fromCharCode(next)}" instead of delimiter, ` +
            "record delimiter, trimable character (if activated) or comment";
          at = q + 1; // the quote stays in the value and the field stays open
        }
      } else {
        let at = pos;
        for (;;) {
          if (at >= len) {
            if (!final) return null;
            break;
          }
          const c = text.charCodeAt(at);
          if (c === delimiter) break;
          if (c === LF || c === CR) {
            const rd = this.recordDelimiterAt(text, at, final);
            if (rd === -1) return null;
            if (rd > 0) break;
          } else if (c === QUOTE && error === null) {
            const column = this.columns ? (this.columns[fields.length] ?? null) : fields.length;
            error =
              `Invalid Opening Quote: a quote is found on field ${JSON.stringify(column)}, ` +
              `value is ${JSON.stringify(text.slice(pos, at))}`;
          }
          at++;
        }
        value = text.slice(pos, at);
        pos = at;
      }
      fields.push(value);
      if (pos >= len) return { fields, end: len, endsWithLf: false, error };
      if (text.charCodeAt(pos) === delimiter) {
        pos++;
        continue;
      }
      const rd = this.recordDelimiterAt(text, pos, final);
      if (rd === -1) return null;
      const end = pos + rd;
      return { fields, end, endsWithLf: text.charCodeAt(end - 1) === LF, error };
    }
  }
}
