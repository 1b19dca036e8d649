// Against the test Redis (TIDEMARK_TEST_REDIS, default 127.0.0.1:6379), with random run ids; every key made here is
// deleted after.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRunner, defineMigration } from '@tidemark/core';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDirsPlugin } from '../plugin.js';
import type { RunDirTarget } from '../target.js';
import { findNodbLocks, holdNodbLocks, nodbLockGuard, redisCommander } from './nodb-locks.js';
import { guardReasonOf } from './refusal.js';
import { createTempFolder, redisTestUrl, type TempFolder } from '@tidemark/testing';
import { buildLegacyPup, buildLegacyRun } from '../testing/legacy-run.js';
import { dataState } from './test/tree-state.js';

const REDIS_URL = redisTestUrl();
let redis: Redis;
let tmp: TempFolder;
let runId: string;
let target: RunDirTarget;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-guards-');
  runId = `tm-test-${Math.random().toString(36).slice(2, 10)}`;
  target = { dir: await buildLegacyRun(tmp.path, { runId }) };
});
afterEach(async () => {
  const keys = await redis.keys(`nodb-lock:${runId}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.del(runId);
  await tmp.remove();
});

const touch = defineMigration<RunDirTarget>({
  id: 'touch',
  title: 'writes a file',
  async up(ctx) {
    await writeFile(join(ctx.target.dir, 'touched.txt'), 'x');
  },
});

function runner(redisInput: Parameters<typeof nodbLockGuard>[0]['redis'] = REDIS_URL) {
  return createRunner({
    plugin: runDirsPlugin({ builtIn: false, migrations: [touch], guards: [nodbLockGuard({ redis: redisInput })] }),
    target,
  });
}

describe('nodb lock guard (real Redis)', () => {
  it('refuses a run whose .nodb is locked in the real key format, naming file and holder; nothing changes', async () => {
    await redis.set(
      `nodb-lock:${runId}:watershed.nodb`,
      JSON.stringify({ token: 't', owner: 'web-1:4242', acquired_at: 1, expires_at: 2, ttl: 21600 }),
      'EX',
      60,
    );
    const before = await dataState(target.dir);
    const error = await runner()
      .up()
      .catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('NODB_LOCKED');
    expect(String(error)).toMatch(/watershed\.nodb \(held by web-1:4242\)/);
    expect(await dataState(target.dir)).toEqual(before);
    // the refusal released whatever it had taken: only the web app's key is left
    expect(await redis.keys(`nodb-lock:${runId}:*`)).toEqual([`nodb-lock:${runId}:watershed.nodb`]);
  });

  it('refuses a run locked in the legacy hash form (locked:<file>.nodb = "true"); "false" fields are not locks', async () => {
    await redis.hset(runId, 'locked:ron.nodb', 'false', 'locked:climate.nodb', 'true', 'other', 'x');
    const error = await runner()
      .up()
      .catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('NODB_LOCKED');
    expect(String(error)).toMatch(/climate\.nodb \(legacy hash\)/);
    expect(String(error)).not.toMatch(/ron\.nodb/);
  });

  it('holds every root .nodb lock in the real format while migrating, then releases them', async () => {
    let seen: string[] = [];
    let value: Record<string, unknown> = {};
    const spy = defineMigration<RunDirTarget>({
      id: 'spy',
      title: 'looks at Redis mid-run',
      async up() {
        seen = (await redis.keys(`nodb-lock:${runId}:*`)).sort();
        value = JSON.parse((await redis.get(`nodb-lock:${runId}:ron.nodb`))!) as Record<string, unknown>;
      },
    });
    await createRunner({
      plugin: runDirsPlugin({ builtIn: false, migrations: [spy], guards: [nodbLockGuard({ redis })] }),
      target,
    }).up();
    expect(seen).toEqual([`nodb-lock:${runId}:ron.nodb`, `nodb-lock:${runId}:watershed.nodb`]);
    expect(Object.keys(value).sort()).toEqual(['acquired_at', 'expires_at', 'owner', 'token', 'ttl']);
    expect(await redis.keys(`nodb-lock:${runId}:*`)).toEqual([]);
  });

  it('a web app that tries SET NX on a held lock is kept out until the migration ends', async () => {
    const holder = await holdNodbLocks(await redisCommander(redis), target, 60_000);
    try {
      expect(await redis.set(`nodb-lock:${runId}:ron.nodb`, '{}', 'EX', 60, 'NX')).toBeNull();
    } finally {
      await holder.release();
    }
    expect(await redis.set(`nodb-lock:${runId}:ron.nodb`, '{}', 'EX', 60, 'NX')).toBe('OK');
  });

  it('a _pups child locks inside its parent run namespace', async () => {
    const child = await buildLegacyPup(target.dir, 'omni/scenarios/burned', { traits: [], extras: [] });
    await redis.set(`nodb-lock:${runId}:_pups/omni/scenarios/burned/ron.nodb`, '{"owner":"web:1"}', 'EX', 60);
    const locks = await findNodbLocks(await redisCommander(redis), { dir: child });
    expect(locks.map((l) => l.file)).toEqual(['_pups/omni/scenarios/burned/ron.nodb']);
    // and the parent sees its child's lock too (its archive would include the child)
    expect((await findNodbLocks(await redisCommander(redis), target)).length).toBe(1);
  });

  it('an unreachable Redis is an error that never shows the password', async () => {
    const error = await runner('redis://user:s3cret@127.0.0.1:1/0')
      .up()
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/cannot connect to Redis/);
    expect(String(error)).not.toMatch(/s3cret/);
  });
});
