// Per-test fleet plumbing shared by the job suites: one Redis client for the file, and for each test a fresh
// run root, unique queue/key names, a queue, and the workers and child processes it started, all torn
// down afterwards (child processes killed, workers closed, the test's Redis keys deleted, the root removed).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Job } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { openFleetQueue, type FleetQueue } from '../jobs/queue.js';
import type { FleetWorker } from '../jobs/worker.js';
import type { ChildWorker } from './child.js';
import { deleteKeys, REDIS_URL, testNames, waitFor } from './redis.js';

export interface FleetQueueFixture {
  /** A client of the test Redis, for the whole file. */
  redis: Redis;
  /** This test's run root (a new temp folder). */
  root: string;
  /** This test's queue name and key prefix. */
  names: ReturnType<typeof testNames>;
  fq: FleetQueue;
  /** Workers a test started: closed after it. */
  workers: FleetWorker[];
  /** Worker processes a test spawned: SIGKILLed after it if still running. */
  children: ChildWorker[];
}

export function useFleetQueue(options: { dirPrefix: string; backoffMs: number }): FleetQueueFixture {
  const fx = { workers: [], children: [] } as unknown as FleetQueueFixture;
  beforeAll(() => {
    fx.redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await fx.redis.quit();
  });
  beforeEach(async () => {
    fx.root = await mkdtemp(join(tmpdir(), options.dirPrefix));
    fx.names = testNames();
    fx.fq = openFleetQueue({ ...fx.names, redis: REDIS_URL, backoffMs: options.backoffMs });
  });
  afterEach(async () => {
    for (const c of fx.children.splice(0))
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    for (const w of fx.workers.splice(0)) await w.close();
    await fx.fq.close();
    await deleteKeys(fx.redis, `${fx.names.prefix}:*`);
    await rm(fx.root, { recursive: true, force: true });
  });
  return fx;
}

/**
 * A job once it has finished (completed or failed), read after its state says so: a job read first and its
 * state second can be the previous attempt's copy (attemptsMade, returnvalue not yet set) of a job that
 * finished between the two reads.
 */
export async function finishedJob(fq: FleetQueue, jobId: string): Promise<{ job: Job; state: 'completed' | 'failed' }> {
  return waitFor(`job ${jobId} to finish`, async () => {
    const state = await fq.queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed') return null;
    const job = await fq.queue.getJob(jobId);
    return job ? { job, state } : null;
  });
}
