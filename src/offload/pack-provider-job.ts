import { tokensForChars } from "../domain/chars-per-token-estimator.js";
import { newId } from "../domain/ids.js";
import { type ProviderJob, providerJobOwner } from "../domain/provider-job.js";
import type { ClaimedRecord } from "../domain/record.js";
import { failClaimed, giveBackAll } from "./bound-record-moves.js";
import { JobPacker } from "./job-packer.js";
import { PackGuards } from "./pack-guards.js";
import { CLAIM_CHUNK, moveProviderJob, type RunnerContext } from "./runner-context.js";

/** A packing claim's lease: long enough to bind; a crash before binding frees the records after it. */
const PACK_LEASE_MS = 10 * 60_000;

/**
 * Packs one provider job: claims runnable records by the provider job's owner, a chunk at a
 * time, and binds those that fit; the first that does not fit (and every record after it) is
 * given back uncounted. Returns the job moved to `uploading` (the intent, recorded before the
 * first call that makes something at the provider), or null when nothing worth sending was packed.
 */
export async function packProviderJob(ctx: RunnerContext, room: number | null): Promise<ProviderJob | null> {
  const guards = await PackGuards.start(ctx);
  const packed = await packWithGuards(ctx, room, guards);
  guards.finish(packed);
  return packed;
}

async function packWithGuards(
  ctx: RunnerContext,
  room: number | null,
  guards: PackGuards,
): Promise<ProviderJob | null> {
  const { store, client } = ctx.o;
  const q = client.quotas;
  const id = newId("pj_");
  const owner = providerJobOwner(id);
  const packer = new JobPacker(q, room);
  let key: { endpoint: string; model: string } | null = null;
  let created = false;
  for (;;) {
    const want = Math.min(CLAIM_CHUNK, q.maxRecordsPerJob - packer.records);
    if (want <= 0) break;
    const claimed = await store.claimRecords({
      owner,
      routes: [{ route: ctx.o.route, limit: want }],
      leaseMs: PACK_LEASE_MS,
      now: ctx.now(),
    });
    if (claimed.length === 0) break;
    const take: ClaimedRecord[] = [];
    const giveBack: ClaimedRecord[] = [];
    const tooBig: ClaimedRecord[] = [];
    const refused: ClaimedRecord[] = [];
    const unbridgeable = new Map<ClaimedRecord, string>();
    let bytes = 0;
    let tokens = 0;
    let stop = false;
    for (const r of claimed) {
      if (stop) {
        giveBack.push(r);
        continue;
      }
      const model = await modelOf(ctx, r.jobId);
      // Bridged into the provider's dialect, and held to its job's budget (pack-guards.ts).
      const a = await guards.admit(r);
      if (a.kind === "refuse") unbridgeable.set(r, a.message);
      if (a.kind === "wait") giveBack.push(r);
      if (a.kind !== "send") continue;
      if (!client.accepts(a.endpoint)) {
        refused.push(r);
        continue;
      }
      if (key === null) key = { endpoint: a.endpoint, model };
      if (a.endpoint !== key.endpoint || model !== key.model) {
        // One provider job speaks one endpoint for one model: another job's records go in another.
        giveBack.push(r);
        continue;
      }
      const line = client.encode({ recordId: r.id, endpoint: a.endpoint, body: a.body, model });
      const lineBytes = Buffer.byteLength(line, "utf8");
      const t = tokensForChars(a.body.length);
      const verdict = packer.offer(lineBytes, t);
      if (verdict === "taken") {
        a.taken();
        take.push(r);
        bytes += lineBytes + 1;
        tokens += t;
      } else if (verdict === "too_big") tooBig.push(r);
      else {
        stop = true;
        giveBack.push(r);
      }
    }
    // The row is made for records to bind: none taken (all waiting, refused, given back) makes none.
    if (!created && take.length > 0 && key !== null) {
      await store.createProviderJob({
        id,
        route: ctx.o.route,
        model: key.model,
        endpoint: key.endpoint,
        now: ctx.now(),
      });
      created = true;
    }
    if (take.length > 0) {
      await store.bindProviderJobRecords(
        id,
        take.map((r) => ({ id: r.id, attempt: r.attempt, jobId: r.jobId })),
        { bytes, estimatedTokens: tokens },
      );
    }
    await failClaimed(
      ctx,
      tooBig,
      "request_too_large",
      (r) =>
        `The request is larger than the provider batch job's input limit (${q.maxBytesPerJob} bytes); record ${r.id} cannot be sent in a provider job.`,
    );
    await failClaimed(
      ctx,
      refused,
      "unsupported_endpoint",
      (r) => `The endpoint ${r.endpoint} is not accepted by route '${ctx.o.route}' (${client.kind}).`,
    );
    await failClaimed(ctx, [...unbridgeable.keys()], "unsupported_by_route", (r) => unbridgeable.get(r)!);
    await guards.settle(owner);
    if (giveBack.length > 0) {
      await store.releaseRecords(
        owner,
        giveBack.map((r) => ({ id: r.id, attempt: r.attempt })),
        ctx.now(),
      );
    }
    // Full, nothing more to claim, or nothing of this claim fit (only other endpoints/models left).
    if (stop || packer.full || claimed.length < want || take.length === 0) break;
  }
  if (!created) return null;
  const pj = (await store.getProviderJob(id))!;
  if (pj.records < q.minRecordsPerJob || pj.records === 0) {
    await moveProviderJob(ctx, pj, "cancelled", {
      error: `Fewer records than the provider's minimum (${q.minRecordsPerJob}).`,
    });
    await giveBackAll(ctx, pj);
    return null;
  }
  const uploading = await moveProviderJob(ctx, pj, "uploading");
  if (uploading !== null) ctx.freshlyPacked.add(pj.id);
  // Ended meanwhile by a new leader that took it for abandoned: what is bound goes back.
  if (uploading === null) await giveBackAll(ctx, pj);
  return uploading;
}

async function modelOf(ctx: RunnerContext, jobId: string): Promise<string> {
  if (ctx.o.modelId) return ctx.o.modelId;
  let m = ctx.modelOfJob.get(jobId);
  if (m === undefined) {
    m = (await ctx.o.store.getJob(jobId))?.model ?? "";
    if (ctx.modelOfJob.size > 10_000) ctx.modelOfJob.clear();
    ctx.modelOfJob.set(jobId, m);
  }
  return m;
}
