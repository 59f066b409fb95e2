import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Keeps a long streaming pass (an export of millions of rows) near its working set. V8 sizes the
 * old generation from the machine's memory: with GBs free it lets it grow to about four times what
 * was live after the last full collection before it collects again, and objects that outlive a
 * couple of young collections (rows waiting in a stream's buffer, a row group being filled) land
 * there. Measured on a 1,000,000-row export: ~30 MB live, the heap at ~130 MB between collections
 * and the process at 270 MB. Node's flags (`--max-old-space-size`) cannot be changed once running
 * and `docket` is started without them, so the pass checks the heap every `every` rows and
 * collects when it has grown `slackBytes` past the last floor: a few dozen full collections of a
 * small heap per million rows, a few percent of the time.
 */
export class HeapCeiling {
  private floor = getHeapStatistics().used_heap_size;
  private count = 0;

  constructor(
    private readonly slackBytes = 16 * 1024 * 1024,
    private readonly every = 1024,
  ) {}

  tick(): void {
    if (++this.count < this.every) return;
    this.count = 0;
    if (getHeapStatistics().used_heap_size < this.floor + this.slackBytes) return;
    fullCollection()?.();
    this.floor = getHeapStatistics().used_heap_size;
  }
}

let gc: (() => void) | null | undefined;

/** `gc()`: given with `--expose-gc`, else exposed now (a V8 flag that takes effect for new contexts). */
function fullCollection(): (() => void) | null {
  if (gc !== undefined) return gc;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") {
    gc = exposed;
    return gc;
  }
  try {
    setFlagsFromString("--expose-gc");
    const fn = runInNewContext("gc") as unknown;
    gc = typeof fn === "function" ? (fn as () => void) : null;
  } catch {
    gc = null; // a runtime that refuses: the heap is bounded by V8's own limits only
  }
  return gc;
}
