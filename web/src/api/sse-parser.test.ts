import { describe, expect, it } from "vitest";
import { SseParser } from "./sse-parser.js";

describe("SseParser", () => {
  it("reads named events with ids, skipping comments and retry lines", () => {
    const p = new SseParser();
    const events = p.feed('retry: 2000\n\n: ping\n\nid: 1\nevent: status\ndata: {"a":1}\n\n');
    expect(events).toEqual([{ event: "status", data: '{"a":1}', id: "1" }]);
  });

  it("joins data lines and defaults the event name to message", () => {
    expect(new SseParser().feed("data: one\ndata: two\n\n")).toEqual([
      { event: "message", data: "one\ntwo", id: null },
    ]);
  });

  it("keeps an event split across chunks, including a CRLF split in two", () => {
    const p = new SseParser();
    expect(p.feed("event: prog")).toEqual([]);
    expect(p.feed("ress\r")).toEqual([]);
    expect(p.feed("\ndata: 4")).toEqual([]);
    expect(p.feed("2\r\n\r")).toEqual([{ event: "progress", data: "42", id: null }]);
    // The LF after that last CR is the same line end, not a second empty line.
    expect(p.feed("\ndata: x\n\n")).toEqual([{ event: "message", data: "x", id: null }]);
  });

  it("drops a stream whose line never ends past the bound", () => {
    const p = new SseParser(10);
    expect(() => p.feed("data: 0123456789")).toThrow(/passed 10 characters/);
  });
});
