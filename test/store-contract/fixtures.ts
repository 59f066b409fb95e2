import { newId } from "../../src/domain/ids.js";
import type { NewRecord } from "../../src/domain/record.js";
import type { NewJob, Store } from "../../src/store/store.js";

/** The contract suites' fixed clock: every time is T0 plus an offset. */
export const T0 = 1_700_000_000_000;

/** A job in `validating`, with defaults every suite shares; `over` changes what a test needs. */
export async function insertTestJob(store: Store, over: Partial<NewJob> = {}): Promise<string> {
  const id = over.id ?? newId("batch_");
  await store.insertJob({
    projectId: "default",
    id,
    endpoint: "/v1/chat/completions",
    inputFileId: "file-x",
    completionWindow: "24h",
    metadata: null,
    createdAt: T0,
    expiresAt: T0 + 86_400_000,
    ...over,
  });
  return id;
}

/** `n` records `c0…` for one route, bodies from `body(i)`. */
export function testRecords(n: number, route = "r1", body: (i: number) => string = () => "{}"): NewRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    position: i,
    line: i + 1,
    customId: `c${i}`,
    route,
    body: body(i),
  }));
}

/** A validated, running job of `n` records: the usual starting point of a claim test. */
export async function runningTestJob(
  store: Store,
  n: number,
  o: {
    over?: Partial<NewJob>;
    route?: string;
    maxAttempts?: number;
    body?: (i: number) => string;
    start?: boolean;
  } = {},
): Promise<string> {
  const id = await insertTestJob(store, o.over);
  await store.claimValidation("validator", 30_000, T0);
  await store.insertRecords(id, testRecords(n, o.route, o.body), o.maxAttempts ?? 3);
  if (o.start !== false) await store.finishValidation(id, n, T0);
  return id;
}
