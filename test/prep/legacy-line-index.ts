/**
 * Maps byte offsets of a stream to 1-based line numbers. csv-parse's own line counter differs
 * between LF and CRLF files and counts the line a record *ends* on, so rows are located by
 * byte offset instead. Offsets of newlines are kept only until a query passes them, so memory
 * stays bounded by what is buffered between the reader and the parser.
 */
export class LineIndex {
  private pending: number[] = [];
  private head = 0;
  private passed = 0;
  private indexedBytes = 0;

  /** Records the newlines of the next chunk of the stream. */
  add(chunk: Buffer): void {
    let at = chunk.indexOf(10);
    while (at !== -1) {
      this.pending.push(this.indexedBytes + at);
      at = chunk.indexOf(10, at + 1);
    }
    this.indexedBytes += chunk.length;
  }

  /** Number of the last line seen so far (a final line without a newline counts). */
  lastLine(): number {
    const newlines = this.passed + this.pending.length - this.head;
    const lastNewline = this.pending.length > this.head ? this.pending[this.pending.length - 1]! : -1;
    const unterminated = this.indexedBytes > 0 && lastNewline !== this.indexedBytes - 1 ? 1 : 0;
    return newlines + unterminated;
  }

  /** Line holding the byte at `offset`. Queries must not go backwards by more than a line. */
  lineAt(offset: number): number {
    const pending = this.pending;
    while (this.head < pending.length && pending[this.head]! < offset) {
      this.head++;
      this.passed++;
    }
    if (this.head > 4096) {
      this.pending = pending.slice(this.head);
      this.head = 0;
    }
    return this.passed + 1;
  }
}
