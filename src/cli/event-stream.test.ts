import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseEventStream } from "./event-stream.js";

async function collect(chunks: string[]) {
  const out = [];
  for await (const e of parseEventStream(Readable.from(chunks))) out.push(e);
  return out;
}

describe("parseEventStream", () => {
  it("reads events across chunk boundaries, skipping comments and ids", async () => {
    const events = await collect([
      "retry: 2000\n\n: ping\n\nid: 1\nevent: sta",
      'tus\ndata: {"a":1}\n\nid: 2\r\nevent: end\r\ndata: {"b":',
      "2}\r\n\r\n",
    ]);
    expect(events).toEqual([
      { event: "status", data: '{"a":1}' },
      { event: "end", data: '{"b":2}' },
    ]);
  });

  it("joins multi-line data and defaults the event name to message", async () => {
    expect(await collect(["data: a\ndata: b\n\n"])).toEqual([{ event: "message", data: "a\nb" }]);
  });

  it("drops an event left unterminated by a broken stream", async () => {
    expect(await collect(["event: end\ndata: {}"])).toEqual([]);
  });
});
