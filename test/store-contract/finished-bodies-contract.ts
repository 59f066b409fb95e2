import { beforeEach, describe, expect, it } from "vitest";
import type { FinishedRecord } from "../../src/domain/record.js";
import type { Store } from "../../src/store/store.js";
import { insertTestJob, T0 } from "./fixtures.js";

/** A finished record's body as read with `bodies`: its text, or its parts joined. */
async function inputOf(store: Store, r: FinishedRecord): Promise<string> {
  const input = r.input;
  if (!input) throw new Error(`record ${r.id} came without its body`);
  if ("text" in input) return input.text;
  const parts: Buffer[] = [];
  for (let i = 0; i < input.parts; i++)
    parts.push((await store.capabilities.largeBodies!.readBodyPart(r.id, i))!);
  return Buffer.concat(parts).toString("utf8");
}

/**
 * `readFinished(…, {bodies: true})` (issue 12: a Bedrock `.out` line echoes its `modelInput`):
 * each finished record comes with its exact request body, a body stored in parts as its part
 * count (never joined by the store), and without the option no body is read at all.
 */
export function describeFinishedBodiesContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (finished records with bodies): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    it("reads each finished record's exact body when asked, large ones included", async () => {
      const id = await insertTestJob(store);
      await store.claimValidation("v", 30_000, T0);
      const small = '{"anthropic_version":"bedrock-2023-05-31","seed":12345678901234567891,"t":1.0}';
      const large = `{"messages":[{"role":"user","content":"${"é😀".repeat(600_000)}"}]}`;
      const asBytes = Buffer.from(`{"prompt":"${"b".repeat(1_500_000)}"}`);
      await store.insertRecords(
        id,
        [
          { position: 0, line: 1, customId: "a", route: "r1", body: small },
          { position: 1, line: 2, customId: "b", route: "r1", body: large },
          { position: 2, line: 3, customId: "c", route: "r1", body: asBytes },
        ],
        3,
      );
      expect(await store.finishValidation(id, 3, T0, "m")).toBe(true);
      const claimed = await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 10 }],
        leaseMs: 10_000,
        now: T0,
      });
      await store.recordResults(
        claimed.map((r) => ({
          recordId: r.id,
          attempt: r.attempt,
          outcome: {
            kind: "succeeded",
            response: { statusCode: 200, requestId: null, body: "{}" },
            usage: null,
          },
        })),
        T0 + 1,
      );
      const withBodies = await store.readFinished(id, -1, 10, { bodies: true });
      expect(withBodies.map((r) => r.customId)).toEqual(["a", "b", "c"]);
      expect(withBodies[0]!.input).toEqual({ text: small });
      // An engine that keeps large bodies apart hands back their part count, not the joined text.
      if (store.capabilities.largeBodies) expect(withBodies[1]!.input).toHaveProperty("parts");
      expect(await inputOf(store, withBodies[1]!)).toBe(large);
      expect(await inputOf(store, withBodies[2]!)).toBe(asBytes.toString("utf8"));
      // Paged like the plain read.
      expect((await store.readFinished(id, 0, 1, { bodies: true })).map((r) => r.customId)).toEqual(["b"]);
      const plain = await store.readFinished(id, -1, 10);
      expect(plain.every((r) => r.input === undefined)).toBe(true);
    });
  });
}
