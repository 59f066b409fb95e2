import { describe, expect, it } from "vitest";
import { dedupKey, keyPrefix } from "./dedup-key.js";

const at = { projectId: "default", route: "r1", endpoint: "/v1/chat/completions" };

describe("dedupKey", () => {
  it("is the same for the same request and differs by project, route, endpoint and any body byte", () => {
    const body = '{"model":"m","temperature":0}';
    const k = dedupKey(keyPrefix(at), body);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(dedupKey(keyPrefix({ ...at }), body)).toBe(k);
    const others = [
      dedupKey(keyPrefix({ ...at, projectId: "p2" }), body),
      dedupKey(keyPrefix({ ...at, route: "r2" }), body),
      dedupKey(keyPrefix({ ...at, endpoint: "/v1/completions" }), body),
      dedupKey(keyPrefix(at), '{"model":"m", "temperature":0}'),
      dedupKey(keyPrefix(at), '{"model":"m","temperature":0.0}'),
    ];
    expect(new Set([k, ...others]).size).toBe(6);
  });

  it("cannot be made equal by moving text between the parts", () => {
    const a = keyPrefix({ projectId: "a\n1:b", route: "r", endpoint: "e" });
    const b = keyPrefix({ projectId: "a", route: "b\n1:r", endpoint: "e" });
    expect(a).not.toBe(b);
    expect(dedupKey(a, "x")).not.toBe(dedupKey(b, "x"));
  });
});
