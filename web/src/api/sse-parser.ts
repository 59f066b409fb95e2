/** One server-sent event as the stream delivered it. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Incremental `text/event-stream` parser (the WHATWG rules the dashboard needs: `event`, `data`
 * over several lines, `id`, comments, CRLF/LF/CR line ends). The browser's EventSource cannot
 * send an `Authorization` header, so the dashboard reads the stream with fetch and parses it
 * here. Chunks may split lines, and CRLF may be split between two chunks.
 */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | null = null;
  /** A chunk that ended in CR: an LF at the start of the next one belongs to that line end. */
  private skipLeadingLf = false;

  constructor(private readonly maxLineChars = 4 * 1024 * 1024) {}

  feed(chunk: string): SseEvent[] {
    const out: SseEvent[] = [];
    let text = chunk;
    if (this.skipLeadingLf && text.startsWith("\n")) text = text.slice(1);
    this.skipLeadingLf = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i), out);
      if (c === 13) {
        if (i + 1 === this.buffer.length) this.skipLeadingLf = true;
        else if (this.buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    // Bounded: a stream that never ends a line must not grow the tab's memory without limit.
    if (this.buffer.length > this.maxLineChars) {
      throw new Error(`An event-stream line passed ${this.maxLineChars} characters; the stream was dropped.`);
    }
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === "") {
      if (this.data.length > 0)
        out.push({ event: this.event || "message", data: this.data.join("\n"), id: this.id });
      this.event = "";
      this.data = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id") this.id = value;
  }
}
