// The family claim against the real Redis and real BullMQ jobs (no worker: the jobs stay waiting, i.e.
// unfinished, until a test removes them).
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testNames } from '../test/redis.js';
import { familyClaims, type FamilyClaims } from './family-claim.js';
import { openFleetQueue, type FleetQueue } from './queue.js';

let redis: Redis;
let names: ReturnType<typeof testNames>;
let fq: FleetQueue;
let claims: FamilyClaims;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(() => {
  names = testNames();
  fq = openFleetQueue({ ...names, redis: REDIS_URL });
  claims = familyClaims(redis, fq.queue, fq.keys);
});
afterEach(async () => {
  await fq.close();
  await deleteKeys(redis, `${names.prefix}:*`);
});

const waitingJob = async (runId: string) => (await fq.enqueue('validate', [{ runId }]))[0]!.jobId;

describe('family claims (real Redis, real BullMQ jobs)', () => {
  it('one unfinished job holds a family; others wait for it; release frees it; a holder keeps it across calls', async () => {
    const parentJob = await waitingJob('fa');
    expect(await claims.claim('fa', parentJob)).toEqual({ ok: true });
    expect(await claims.claim('fa', parentJob)).toEqual({ ok: true }); // its retry, or its rerun after a stall
    expect(await claims.claim('fa/_pups/omni/scenarios/burned', 'someone-else')).toEqual({
      ok: false,
      waitingFor: 'fa',
    });
    expect(await claims.claim('fb', 'someone-else')).toEqual({ ok: true }); // another family
    await claims.release('fa', 'someone-else'); // not the holder: nothing happens
    expect(await claims.holder('fa/_pups/x')).toEqual({ jobId: parentJob, runId: 'fa' });
    await claims.release('fa', parentJob);
    expect(await claims.holder('fa')).toBeNull();
  });

  it('a child waits while a run enclosing it has an unfinished job, even with the family unclaimed', async () => {
    const parentJob = await waitingJob('fc');
    const childJob = await waitingJob('fc/_pups/omni');
    expect(await claims.claim('fc/_pups/omni', childJob)).toEqual({ ok: false, waitingFor: 'fc' });
    const nestedJob = await waitingJob('fc/_pups/omni/_pups/x');
    await (await fq.queue.getJob(parentJob))!.remove();
    expect(await claims.claim('fc/_pups/omni/_pups/x', nestedJob)).toEqual({ ok: false, waitingFor: 'fc/_pups/omni' });
    expect(await claims.claim('fc/_pups/omni', childJob)).toEqual({ ok: true });
  });

  it('a claim whose job is finished or gone (or that is not ours) is taken over, by exactly one of many racers', async () => {
    await redis.set(`${fq.keys.family}fd`, JSON.stringify({ jobId: 'long-gone', runId: 'fd' }));
    const a = await waitingJob('fd');
    expect(await claims.claim('fd', a)).toEqual({ ok: true });
    await redis.set(`${fq.keys.family}fd`, 'written by something else');
    const jobs = await Promise.all(
      ['fd/_pups/a', 'fd/_pups/b', 'fd/_pups/c', 'fd/_pups/d', 'fd/_pups/e'].map(async (runId) => ({
        runId,
        jobId: await waitingJob(runId),
      })),
    );
    await (await fq.queue.getJob(a))!.remove();
    const results = await Promise.all(jobs.map((j) => claims.claim(j.runId, j.jobId)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const winner = jobs[results.findIndex((r) => r.ok)]!;
    expect(await claims.holder('fd')).toEqual(winner);
    for (const r of results.filter((x) => !x.ok)) expect(r).toEqual({ ok: false, waitingFor: winner.runId });
  });
});
