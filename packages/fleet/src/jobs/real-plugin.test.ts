// The worker with its default plugin (plugin-run-dirs' real migrations and traits) on the golden corpus'
// "every legacy shape at once" run: migrate, validate, restore the pre-migration archive byte for byte.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testNames, uniqueId } from '../test/redis.js';
import { fileHashes } from '../test/file-hashes.js';
import { finishedJob } from '../test/fleet-queue.js';
import { openFleetQueue, type FleetQueue } from './queue.js';
import { startFleetWorker, type FleetWorker } from './worker.js';

const FIXTURE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'fixtures',
  'plugin-run-dirs',
  'full-legacy-run',
  'before',
  'wx-everything',
);
let root: string;
let names: ReturnType<typeof testNames>;
let fq: FleetQueue;
let worker: FleetWorker;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tidemark-fleet-real-'));
  names = testNames();
  fq = openFleetQueue({ ...names, redis: REDIS_URL });
  worker = await startFleetWorker({
    ...names,
    redis: REDIS_URL,
    root,
    lock: { ttlMs: 5000, waitMs: 10_000 },
    nodbLockTtlMs: 5000,
  });
});
afterEach(async () => {
  await worker.close();
  await fq.close();
  const redis = new Redis(REDIS_URL);
  await deleteKeys(redis, `${names.prefix}:*`);
  await redis.quit();
  await rm(root, { recursive: true, force: true });
});

const run = async (kind: 'migration' | 'validate' | 'restore', runId: string) => {
  const [r] = await fq.enqueue(kind, [{ runId }]);
  return finishedJob(fq, r!.jobId);
};

describe('the worker with the real run-dirs plugin', () => {
  it('migrates a full legacy run, validates it, and restores it to the byte', async () => {
    const runId = uniqueId('wx-everything-');
    const dir = join(root, runId.slice(0, 2), runId);
    await cp(FIXTURE, dir, { recursive: true });
    const before = await fileHashes(dir);

    const validated = await run('validate', runId);
    expect(validated.job.returnvalue).toMatchObject({ status: 'needs-migration' });
    const traits = (validated.job.returnvalue!.detail as { traits: string[] }).traits;
    expect(traits.length).toBeGreaterThan(3);

    const migrated = await run('migration', runId);
    expect(migrated.state, migrated.job.failedReason).toBe('completed');
    expect(migrated.job.returnvalue).toMatchObject({ status: 'migrated' });
    expect((migrated.job.returnvalue!.detail as { applied: string[] }).applied.length).toBeGreaterThan(3);
    expect(await fileHashes(dir)).not.toEqual(before);

    const after = await run('validate', runId);
    expect(after.job.returnvalue).toMatchObject({ status: 'valid', detail: { pending: [] } });

    const restored = await run('restore', runId);
    expect(restored.state, restored.job.failedReason).toBe('completed');
    expect(await fileHashes(dir)).toEqual(before);
    expect((await fq.index.get(runId))!.lastStatus).toBe('restored');
  });
});
