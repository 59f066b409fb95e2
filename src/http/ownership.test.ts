import { describe, expect, it } from "vitest";
import type { RequestContext } from "./deps.js";
import type { Principal } from "./key-auth.js";
import { canSee, listScope, requireAdmin, visible } from "./ownership.js";

const member: Principal = { projectId: "a", role: "member", keyId: "dk_m", allProjects: false };
const reader: Principal = { ...member, role: "reader", keyId: "dk_r" };
const admin: Principal = { projectId: "ops", role: "admin", keyId: "dk_x", allProjects: true };

/** Only the two fields these functions read; the rest of a context plays no part. */
const ctx = (principal: Principal, query = "") =>
  ({ principal, query: new URLSearchParams(query) }) as unknown as RequestContext;

describe("ownership", () => {
  it("lets a key see its own project's rows, and an admin every project's", () => {
    expect(canSee(member, "a")).toBe(true);
    expect(canSee(member, "b")).toBe(false);
    expect(canSee(admin, "b")).toBe(true);
    const row = { id: "batch_1", projectId: "b" };
    expect(visible(member, row)).toBeUndefined();
    expect(visible(admin, row)).toBe(row);
    expect(visible(admin, undefined)).toBeUndefined();
  });

  it("limits lists to the caller's project; an admin's to ?project= or none", () => {
    expect(listScope(ctx(member))).toBe("a");
    expect(listScope(ctx(member, "project=a"))).toBe("a");
    expect(() => listScope(ctx(reader, "project=b"))).toThrow(/Only an admin key may list another project/);
    expect(listScope(ctx(admin))).toBeUndefined();
    expect(listScope(ctx(admin, "project=b"))).toBe("b");
  });

  it("refuses what only admins may do, naming the role the key has", () => {
    expect(() => requireAdmin(ctx(admin), "GET /metrics")).not.toThrow();
    expect(() => requireAdmin(ctx(reader), "GET /metrics")).toThrow(
      "GET /metrics needs an admin key; this key (dk_r) has the reader role.",
    );
  });
});
