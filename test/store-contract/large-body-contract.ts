import { beforeEach, describe, expect, it } from "vitest";
import type { ClaimedRecord } from "../../src/domain/record.js";
import type { Store } from "../../src/store/store.js";
import { insertTestJob, T0 } from "./fixtures.js";

/** A claimed record's body as bytes, joined from its parts when the engine keeps it in parts. */
async function bodyOf(store: Store, r: ClaimedRecord): Promise<Buffer> {
  if (!r.bodyParts) return Buffer.from(r.body);
  expect(r.body).toBe("");
  const parts: Buffer[] = [];
  for (let i = 0; i < r.bodyParts.count; i++)
    parts.push((await store.capabilities.largeBodies!.readBodyPart(r.id, i))!);
  expect(await store.capabilities.largeBodies!.readBodyPart(r.id, r.bodyParts.count)).toBeNull();
  const joined = Buffer.concat(parts);
  expect(joined.length).toBe(r.bodyParts.bytes);
  return joined;
}

/**
 * Bodies of several MB (issue 17, "memory for a line bounded"): whatever an engine does with
 * them (SQLite keeps them in parts, out of the row its claims and results rewrite), a claim
 * gives back the exact bytes, again after a retry, and a record's parts go with its job.
 */
export function describeLargeBodyContract(engine: string, openStore: () => Promise<Store>): void {
  describe(`store contract (large bodies): ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore();
      return () => store.close();
    });

    it("hands a multi-MB body back byte for byte, multi-byte characters and surrogate pairs across part edges", async () => {
      const id = await insertTestJob(store);
      await store.claimValidation("v", 30_000, T0);
      // ~3.5 Mi characters: "é" (2 bytes) and "😀" (a surrogate pair, 4 bytes) at every offset
      // parity, so some part edge falls inside a pair unless the split avoids it.
      const filler = "aé😀".repeat(900_000);
      // "xx": with this prefix the first part edge (1 Mi characters) falls between a pair's halves.
      const body = `{"model":"m","messages":[{"role":"user","content":"xx${filler}"}]}`;
      await store.insertRecords(
        id,
        [
          { position: 0, line: 1, customId: "big", route: "r1", body },
          { position: 1, line: 2, customId: "small", route: "r1", body: '{"model":"m"}' },
        ],
        3,
      );
      expect(await store.finishValidation(id, 2, T0, "m")).toBe(true);
      const claim = (now: number) =>
        store.claimRecords({ owner: "w", routes: [{ route: "r1", limit: 10 }], leaseMs: 10_000, now });
      const claimed = await claim(T0);
      expect(claimed.map((r) => r.customId)).toEqual(["big", "small"]);
      expect((await bodyOf(store, claimed[0]!)).equals(Buffer.from(body))).toBe(true);
      expect(claimed[1]!.body).toBe('{"model":"m"}');
      expect(claimed[1]!.bodyParts).toBeUndefined();

      // A retry: the record goes back to pending and its body is intact at the next claim.
      await store.recordResults(
        [
          {
            recordId: claimed[0]!.id,
            attempt: claimed[0]!.attempt,
            outcome: { kind: "retry", runAt: T0 + 1, response: null, error: { code: "x", message: "x" } },
          },
        ],
        T0 + 1,
      );
      const again = await claim(T0 + 2);
      expect(again.map((r) => r.customId)).toEqual(["big"]);
      expect((await bodyOf(store, again[0]!)).equals(Buffer.from(body))).toBe(true);
    });

    it("takes a body given as UTF-8 bytes (a view into a big line) and hands it back byte for byte", async () => {
      const id = await insertTestJob(store);
      await store.claimValidation("v", 30_000, T0);
      // A line's bytes with the body in the middle, as validation hands it over (a subarray, not
      // a copy); multi-byte characters at every byte offset, so some part edge falls inside one.
      const body = `{"model":"m","messages":[{"role":"user","content":"${"aé😀中".repeat(300_000)}"}]}`;
      const line = Buffer.from(`{"custom_id":"big","body":${body}}`);
      const bodyBytes = line.subarray(line.indexOf("{", 1), line.length - 1);
      expect(bodyBytes.toString("utf8")).toBe(body);
      const small = Buffer.from('{"custom_id":"s","body":{"model":"m","t":"é"}}');
      await store.insertRecords(
        id,
        [
          { position: 0, line: 1, customId: "big", route: "r1", body: bodyBytes },
          {
            position: 1,
            line: 2,
            customId: "small",
            route: "r1",
            body: small.subarray(24, small.length - 1),
          },
        ],
        3,
      );
      expect(await store.finishValidation(id, 2, T0, "m")).toBe(true);
      const claimed = await store.claimRecords({
        owner: "w",
        routes: [{ route: "r1", limit: 10 }],
        leaseMs: 10_000,
        now: T0,
      });
      expect(claimed.map((r) => r.customId)).toEqual(["big", "small"]);
      expect((await bodyOf(store, claimed[0]!)).equals(Buffer.from(body))).toBe(true);
      // A small body is kept as ordinary text, whatever form it came in.
      expect(claimed[1]!.body).toBe('{"model":"m","t":"é"}');
      expect(claimed[1]!.bodyParts).toBeUndefined();
    });

    it("drops the parts with the records when validation fails", async () => {
      const id = await insertTestJob(store);
      await store.claimValidation("v", 30_000, T0);
      const body = `{"model":"m","p":"${"x".repeat(2_500_000)}"}`;
      await store.insertRecords(id, [{ position: 0, line: 1, customId: "big", route: "r1", body }], 3);
      await store.failValidation(id, [{ code: "c", message: "m", line: 2, param: null }], T0);
      const job = await store.getJob(id);
      expect(job?.status).toBe("failed");
      // The record and its parts are gone: a part read finds nothing (record ids start at 1).
      const largeBodies = store.capabilities.largeBodies;
      if (largeBodies) expect(await largeBodies.readBodyPart(1, 0)).toBeNull();
    });
  });
}
