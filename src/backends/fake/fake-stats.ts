/** What a fake backend has seen: enough for tests to assert on, bounded in memory by default. */
export interface FakeStats {
  /** Requests to the API paths (`/v1/...`); `/stats` and `/control` are not counted. */
  requests: number;
  byStatus: Record<number, number>;
  byPath: Record<string, number>;
  /** Requests being served now (holding a capacity slot). */
  inFlight: number;
  maxInFlight: number;
  /** Requests waiting for a capacity slot now, and the most that ever waited. */
  queued: number;
  maxQueued: number;
  /** Requests held open without an answer (rateHang) right now. */
  hanging: number;
  /** Client disconnects before an answer was written (timeouts, aborts). */
  abandoned: number;
  /** Matches of markerPattern (or the capture group 1 when it has one), and fail400Marker hits. */
  markers: Record<string, number>;
  /** Only with recordBodies: each request and the body it was answered with (null if none). */
  bodies?: Array<{ path: string; request: string; status: number | null; response: string | null }>;
  /**
   * Only with recordArrivals: when each API request arrived (its headers were read), epoch ms
   * with sub-millisecond precision (`performance.timeOrigin + performance.now()`), in order.
   */
  arrivals?: number[];
  /** Only once a body was over discardBodiesOver: how many, and their total length. */
  discarded?: { bodies: number; chars: number };
}

/** Distinct markers kept at most, so a pattern that matches too much cannot exhaust memory. */
export const MAX_DISTINCT_MARKERS = 100_000;

type RecordedBody = NonNullable<FakeStats["bodies"]>[number];

/** The server's running counts; capacity figures live in the CapacityQueue and join at snapshot. */
export class FakeCounters {
  requests = 0;
  byStatus: Record<number, number> = {};
  byPath: Record<string, number> = {};
  hanging = 0;
  abandoned = 0;
  markers: Record<string, number> = {};
  bodies: RecordedBody[] = [];
  arrivals: number[] = [];
  discardedBodies = 0;
  discardedChars = 0;
  private distinctMarkers = 0;

  countMarker(key: string): void {
    const seen = this.markers[key];
    if (seen !== undefined) this.markers[key] = seen + 1;
    else if (this.distinctMarkers < MAX_DISTINCT_MARKERS) {
      this.markers[key] = 1;
      this.distinctMarkers++;
    }
  }

  /** Forgets everything except requests still hanging, which are still there. */
  reset(): void {
    const hanging = this.hanging;
    Object.assign(this, new FakeCounters());
    this.hanging = hanging;
  }
}

/** A copy of what the server has seen, joined with its capacity queue's figures. */
export function snapshotStats(
  counters: FakeCounters,
  capacity: { inUse: number; maxInUse: number; queued: number; maxQueued: number },
  record: { recordBodies: boolean; recordArrivals: boolean },
): FakeStats {
  const snapshot: FakeStats = {
    requests: counters.requests,
    byStatus: { ...counters.byStatus },
    byPath: { ...counters.byPath },
    inFlight: capacity.inUse,
    maxInFlight: capacity.maxInUse,
    queued: capacity.queued,
    maxQueued: capacity.maxQueued,
    hanging: counters.hanging,
    abandoned: counters.abandoned,
    markers: { ...counters.markers },
  };
  if (record.recordBodies) snapshot.bodies = counters.bodies.map((b) => ({ ...b }));
  if (record.recordArrivals) snapshot.arrivals = [...counters.arrivals];
  if (counters.discardedBodies > 0) {
    snapshot.discarded = { bodies: counters.discardedBodies, chars: counters.discardedChars };
  }
  return snapshot;
}
