/** What a worker's route is doing right now, as the dashboard's route monitor samples it. */
export interface RouteLoad {
  route: string;
  /** Requests this process has in flight on the route. */
  inFlight: number;
  /** Records claimed and waiting for a slot (the prefetch). */
  queued: number;
  /** Requests this process may have in flight now (the adaptive loop's value, or the fixed limit). */
  concurrency: number;
  /** Epoch ms until which a Retry-After pauses the route; null when not paused. */
  pausedUntil: number | null;
}
