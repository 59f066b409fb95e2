import { describe, expect, it } from "vitest";
import { announceStop } from "../../src/http/deps.js";
import type { Assembly } from "../../src/runtime/assemble.js";
import { apiWorkEvents } from "../../src/runtime/start-api.js";
import { WorkSignal } from "../../src/runtime/work-signal.js";

/** The parts of an assembled process the API's work events use, counting what they send. */
function counted() {
  const signal = new WorkSignal();
  const sent = { hints: 0, wakeups: 0, stopped: [] as string[] };
  signal.subscribe(() => void sent.wakeups++);
  signal.onJobStopped((id) => void sent.stopped.push(id));
  const parts = {
    signal,
    hintWork: () => void sent.hints++,
    hintWorkSent: async () => void sent.hints++,
  } as unknown as Assembly;
  return { events: apiWorkEvents(parts), sent };
}

describe("the API's work events", () => {
  it("a cancel sends one hint to other processes, wakes local workers once and stops the job first", async () => {
    const { events, sent } = counted();
    const order: string[] = [];
    const stopped = announceStop(
      {
        workAvailable: () => order.push("wake"),
        jobStopped: async (id) => {
          order.push(`stop ${id}`);
          await events.jobStopped(id);
        },
      },
      "batch_1",
    );
    await stopped;
    expect(order).toEqual(["stop batch_1"]);
    expect(sent).toEqual({ hints: 1, wakeups: 1, stopped: ["batch_1"] });
  });

  it("without a stop event (an API alone in tests) a cancel is a plain wake-up", async () => {
    let wakeups = 0;
    await announceStop({ workAvailable: () => void wakeups++ }, "batch_2");
    expect(wakeups).toBe(1);
  });

  it("new work is one hint and one local wake-up", () => {
    const { events, sent } = counted();
    events.workAvailable();
    expect(sent).toEqual({ hints: 1, wakeups: 1, stopped: [] });
  });
});
