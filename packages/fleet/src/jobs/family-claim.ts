// One job at a time per family (a top-level run and every run under its `_pups/`). Members share more than a
// folder: the top-level run's `.nodb` locks cover its pups and its pre-migration archive holds them, so a
// parent restored from its archive while a child migrated would silently undo the child. Every member is
// still its own job (own channel, own index row); the worker claims the family for a job before it starts.
//
// The claim belongs to a job, not to a process, and lasts until the job is finished: it survives the job's
// retries and backoff, and a worker killed mid-job (its stalled job resumes under the same claim), so no
// other member slips in between an interrupted migration and the archive guard's undo of it. A claim whose
// job is finished (completed, finally failed or removed) is stale and is taken over; nothing needs a TTL.
//
// Order: a job also waits while a run enclosing it (its parent, or for a nested pup any run above it) has
// an unfinished job, so a family enqueued together migrates parent first, then its children.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FleetKeys } from '../keys.js';
import { enclosingRunIds, familyOf } from '../runs/run-ids.js';

export type ClaimResult = { ok: true } | { ok: false; waitingFor: string };

export interface FamilyClaims {
  /** Claims the run's family for the job, or says which member's job it must wait for. */
  claim(runId: string, jobId: string): Promise<ClaimResult>;
  /** Gives the family up once the job is finished (a no-op when the job no longer holds it). */
  release(runId: string, jobId: string): Promise<void>;
  /** The job holding the run's family, if any (stale or not). */
  holder(runId: string): Promise<{ jobId: string; runId: string } | null>;
}

// Sets the claim only if it is still what the caller saw ('' = absent): two workers that both found a
// stale claim cannot both take it.
const TAKE = `local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then return 1 end
if (cur == false and ARGV[2] == '') or cur == ARGV[2] then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
return 0`;
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

const FINISHED = new Set(['completed', 'failed', 'unknown']);

function parseHolder(text: string | null): { jobId: string; runId: string } | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as { jobId?: unknown; runId?: unknown };
    return typeof value.jobId === 'string' && typeof value.runId === 'string'
      ? { jobId: value.jobId, runId: value.runId }
      : null;
  } catch {
    return null; // not ours: treated as stale
  }
}

export function familyClaims(redis: Redis, queue: Queue, keys: FleetKeys): FamilyClaims {
  const keyOf = (runId: string) => `${keys.family}${familyOf(runId)}`;
  const unfinished = async (jobId: string) => !FINISHED.has(await queue.getJobState(jobId));
  return {
    async claim(runId, jobId) {
      const key = keyOf(runId);
      const mine = JSON.stringify({ jobId, runId });
      // A lost race for a stale claim is looked at again; three rounds settle it (someone then holds it).
      for (let round = 0; round < 3; round++) {
        const current = await redis.get(key);
        if (current === mine) return { ok: true };
        const holder = parseHolder(current);
        if (holder && holder.jobId !== jobId && (await unfinished(holder.jobId)))
          return { ok: false, waitingFor: holder.runId };
        for (const enclosing of enclosingRunIds(runId)) {
          const other = await queue.getDeduplicationJobId(enclosing);
          if (other && other !== jobId && (await unfinished(other))) return { ok: false, waitingFor: enclosing };
        }
        if (Number(await redis.eval(TAKE, 1, key, mine, current ?? ''))) return { ok: true };
      }
      return { ok: false, waitingFor: parseHolder(await redis.get(key))?.runId ?? familyOf(runId) };
    },
    async release(runId, jobId) {
      await redis.eval(RELEASE, 1, keyOf(runId), JSON.stringify({ jobId, runId }));
    },
    async holder(runId) {
      return parseHolder(await redis.get(keyOf(runId)));
    },
  };
}
