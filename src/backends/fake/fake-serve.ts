import type { ServerResponse } from "node:http";
import type { CapacityQueue } from "./capacity-queue.js";
import type { FakeCounters } from "./fake-stats.js";

/**
 * Serves an admitted request the way a saturated model server does: wait for a capacity slot,
 * then for the simulated compute time (`delayMs`, read once the slot is taken), then `answer`.
 * A client that leaves first frees its slot (or its place in the queue), as vLLM aborts such
 * requests. Shared by every fake provider so they queue and time out alike.
 */
export function serveInCapacity(
  res: ServerResponse,
  capacity: CapacityQueue,
  counters: FakeCounters,
  delayMs: () => number,
  answer: () => void,
): void {
  let timer: NodeJS.Timeout | null = null;
  let serving = false;
  let dueAt = 0;
  const finish = () => {
    timer = null;
    answer();
    capacity.release(dueAt);
  };
  const cancel = capacity.acquire((startedAt) => {
    serving = true;
    const delay = delayMs();
    dueAt = startedAt + delay;
    if (delay > 0) timer = setTimeout(finish, Math.max(0, dueAt - Date.now()));
    else finish();
  });
  if (res.writableEnded) return;
  res.once("close", () => {
    if (res.writableFinished) return;
    counters.abandoned++;
    if (!serving) cancel();
    else if (timer !== null) {
      clearTimeout(timer);
      timer = null;
      capacity.release();
    }
  });
}

/** Never answers (rateHang): counted as hanging until the client gives up. */
export function hangUntilClosed(res: ServerResponse, counters: FakeCounters): void {
  counters.hanging++;
  res.once("close", () => {
    counters.hanging--;
    counters.abandoned++;
  });
}
