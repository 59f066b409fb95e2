import { DocketError } from "../domain/errors.js";
import type { RequestContext } from "./deps.js";
import type { Principal } from "./key-auth.js";
import { readOptional } from "./query.js";

/**
 * Project isolation (issue 15, docs/security.md "What is isolated"). Every handler that finds a
 * row by id passes it through `visible`, so another project's row takes exactly the path of an
 * unknown id — the same 404, body and message — and nobody learns that the id exists.
 */

/** Whether the caller may see work of `projectId`: its own project's, or any project's for an admin. */
export function canSee(principal: Principal, projectId: string): boolean {
  return principal.allProjects || principal.projectId === projectId;
}

/** The row when the caller may see it, else undefined (then the handler answers as for an unknown id). */
export function visible<T extends { projectId: string }>(
  principal: Principal,
  row: T | undefined,
): T | undefined {
  return row !== undefined && canSee(principal, row.projectId) ? row : undefined;
}

/**
 * The project a list is limited to: the caller's own, or for an admin the `?project=` it names
 * (absent: every project's). A non-admin may name only its own project.
 */
export function listScope(ctx: RequestContext): string | undefined {
  const { principal } = ctx;
  const asked = readOptional(ctx.query, "project");
  if (principal.allProjects) return asked;
  if (asked !== undefined && asked !== principal.projectId) {
    throw new DocketError(
      "permission_denied",
      `Only an admin key may list another project's work; this key (${principal.keyId ?? "?"}) belongs to project '${principal.projectId}'.`,
      403,
      "project",
    );
  }
  return principal.projectId;
}

/** For what no single project owns (`/metrics`, figures summed over every project). */
export function requireAdmin(ctx: RequestContext, what: string): void {
  const { principal } = ctx;
  if (principal.role === "admin") return;
  throw new DocketError(
    "permission_denied",
    `${what} needs an admin key; this key (${principal.keyId ?? "?"}) has the ${principal.role} role.`,
    403,
  );
}
