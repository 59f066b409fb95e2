import type { RouteConfig } from "../config/config.js";
import {
  type ProjectRouteLimits,
  type ProjectsConfig,
  projectRouteLimits,
} from "../config/projects-config.js";
import { RouteGate } from "./route-gate.js";

/**
 * One project's own ceiling on one route (config `projects.*.routes`): a RouteGate with the
 * project's rpm/tpm (shared by all worker processes by the same `share` as the route's own) and
 * the project's in-flight count against its concurrency (per worker process, like the route's).
 */
export class ProjectRouteGate {
  inFlight = 0;
  private readonly gate: RouteGate;

  constructor(
    route: RouteConfig,
    readonly limits: ProjectRouteLimits,
    share: number,
  ) {
    const { rpm: _rpm, tpm: _tpm, adaptive: _adaptive, ...fixed } = route;
    this.gate = new RouteGate(
      {
        ...fixed,
        concurrency: limits.concurrency ?? Number.POSITIVE_INFINITY,
        ...(limits.rpm ? { rpm: limits.rpm } : {}),
        ...(limits.tpm ? { tpm: limits.tpm } : {}),
      },
      share,
    );
  }

  /**
   * 0 when a request costing `estimatedTokens` may start now (its budget is taken); the ms until
   * the project's rate allows it; or Infinity while its concurrency is full (a finish frees it).
   */
  tryStart(estimatedTokens: number, now: number): number {
    if (this.limits.concurrency !== undefined && this.inFlight >= this.limits.concurrency) {
      return Number.POSITIVE_INFINITY;
    }
    return this.gate.tryStart(estimatedTokens, now);
  }

  /** The route's own gate held the request after this one let it: give its budget back. */
  refund(estimatedTokens: number, now: number): void {
    this.gate.refund(estimatedTokens, now);
  }

  /** Corrects the token estimate with what the backend reported (no pause: Retry-After is the route's). */
  finished(estimatedTokens: number, actualTokens: number | null, now: number): void {
    this.gate.onFinished(
      { rttMs: 0, overloaded: false, retryAfterMs: null, estimatedTokens, actualTokens },
      this.inFlight,
      now,
    );
  }

  setShare(share: number): void {
    this.gate.setShare(share);
  }
}

/** Every (route, project) gate of a worker, made when the project's first record on the route comes. */
export class ProjectRouteGates {
  /** null: the project has no ceiling on the route (remembered, so the config is read once). */
  private readonly gates = new Map<string, ProjectRouteGate | null>();
  private share = 1;

  constructor(private readonly projects: ProjectsConfig | undefined) {}

  /** True when some project has a ceiling on some route (else the worker skips all of this). */
  get any(): boolean {
    return Object.values(this.projects ?? {}).some((p) => Object.keys(p.routes ?? {}).length > 0);
  }

  of(route: RouteConfig, projectId: string): ProjectRouteGate | null {
    const key = `${route.name}\u0000${projectId}`;
    let gate = this.gates.get(key);
    if (gate === undefined) {
      const limits = projectRouteLimits(this.projects, projectId, route.name);
      gate = limits ? new ProjectRouteGate(route, limits, this.share) : null;
      this.gates.set(key, gate);
    }
    return gate;
  }

  /** This process's part of every project's rpm/tpm on a route (as RouteGate.setShare). */
  setShare(share: number): void {
    this.share = share;
    for (const g of this.gates.values()) g?.setShare(share);
  }
}
