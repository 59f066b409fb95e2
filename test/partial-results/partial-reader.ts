import { expect } from "vitest";

/** One poll's outcome: how far the cursor moved and whether the job's lines were all served. */
export interface PollResult {
  moved: number;
  complete: boolean;
}

/**
 * A client of `GET …/results?partial=true` as the test describes it: polls from its
 * cursor, keeps every byte it was served, and checks on the way that the cursor never goes back
 * and that no line (by its id) is ever served twice. With `errors`, it reads OpenAI's error file
 * in step with the output file (`until` = the output page's next cursor), as the CLI does.
 */
export class PartialFollower {
  cursor = 0;
  readonly output: Buffer[] = [];
  readonly errors: Buffer[] = [];
  private readonly ids = new Set<string>();
  /** Polls that moved the cursor while lines were still to come (the job still running). */
  movedBeforeEnd = 0;
  pages = 0;

  constructor(
    private readonly resultsUrl: string,
    private readonly o: { errors?: boolean; limit?: number; idOf?: (line: string) => string } = {},
  ) {}

  /** Reads every page that is final now (until one does not move). */
  async poll(): Promise<PollResult> {
    const start = this.cursor;
    for (;;) {
      const out = await this.page({ after: this.cursor });
      let err: Page | null = null;
      if (this.o.errors && out.next > this.cursor) {
        err = await this.page({ after: this.cursor, errors: true, until: out.next });
        expect(err.next).toBe(out.next);
      }
      expect(out.next).toBeGreaterThanOrEqual(this.cursor);
      this.keep(this.output, out.body);
      if (err) this.keep(this.errors, err.body);
      const moved = out.next > this.cursor;
      this.cursor = out.next;
      if (out.complete || !moved) {
        if (!out.complete && this.cursor > start) this.movedBeforeEnd++;
        return { moved: this.cursor - start, complete: out.complete };
      }
    }
  }

  /** Polls every `everyMs` until the job's lines are all served. */
  async followToEnd(everyMs: number, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.poll()).complete) return;
      if (Date.now() > deadline) throw new Error(`partial results not complete after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  text(which: "output" | "errors" = "output"): Buffer {
    return Buffer.concat(which === "output" ? this.output : this.errors);
  }

  private keep(into: Buffer[], body: Buffer): void {
    if (body.length === 0) return;
    const text = body.toString("utf8");
    expect(text.endsWith("\n")).toBe(true);
    for (const line of text.slice(0, -1).split("\n")) {
      const id = (this.o.idOf ?? openAiId)(line);
      expect(this.ids.has(id), `line ${id} served twice`).toBe(false);
      this.ids.add(id);
    }
    into.push(body);
  }

  private async page(q: { after: number; errors?: boolean; until?: number }): Promise<Page> {
    const params = new URLSearchParams({ partial: "true", after: String(q.after) });
    if (this.o.limit) params.set("limit", String(this.o.limit));
    if (q.errors) params.set("errors", "true");
    if (q.until !== undefined) params.set("until", String(q.until));
    const res = await fetch(`${this.resultsUrl}?${params}`);
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.status, body.toString()).toBe(200);
    this.pages++;
    return {
      body,
      next: Number(res.headers.get("docket-next-cursor")),
      complete: res.headers.get("docket-complete") === "true",
    };
  }
}

interface Page {
  body: Buffer;
  next: number;
  complete: boolean;
}

export const openAiId = (line: string) => (JSON.parse(line) as { custom_id: string }).custom_id;
export const bedrockId = (line: string) => (JSON.parse(line) as { recordId: string }).recordId;

/** A job's SSE stream (`?records=true`), collected: every event's name and data, in order. */
export async function collectEvents(
  url: string,
): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  const text = await res.text();
  for (const block of text.split("\n\n")) {
    const event = /^event: (.+)$/m.exec(block)?.[1];
    const data = /^data: (.+)$/m.exec(block)?.[1];
    if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
  }
  return events;
}

/** Checks a stream's `record` events: a chain of cursors, ending complete at `total`, before `end`. */
export function expectRecordChain(
  events: Array<{ event: string; data: Record<string, unknown> }>,
  total: number,
): number {
  const records = events.filter((e) => e.event === "record").map((e) => e.data);
  expect(records.length).toBeGreaterThan(0);
  let cursor = 0;
  let sum = 0;
  for (const [i, r] of records.entries()) {
    expect(r.previous_cursor).toBe(String(cursor));
    // Only the last may be empty: the job ended after its prefix had already reached the end.
    if (i < records.length - 1) expect(Number(r.cursor)).toBeGreaterThan(cursor);
    expect(r.records).toBe(Number(r.cursor) - cursor);
    cursor = Number(r.cursor);
    sum += r.records as number;
  }
  expect(records.at(-1)!.complete).toBe(true);
  expect(records.slice(0, -1).every((r) => r.complete === false)).toBe(true);
  expect(cursor).toBe(total);
  expect(sum).toBe(total);
  const lastRecord = events.map((e) => e.event).lastIndexOf("record");
  expect(events.findIndex((e) => e.event === "end")).toBe(lastRecord + 1);
  return records.length;
}
