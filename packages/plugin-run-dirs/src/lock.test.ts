import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { newHolder } from '@tidemark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { fileLock } from './lock.js';
import { tempDir } from './test/tmp-run.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function lockPath() {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  return join(dir, '.tidemark', 'lock.json');
}

describe('fileLock (lease)', () => {
  it('is exclusive while live, re-entrant for its holder, and free after release', async () => {
    const path = await lockPath();
    const lock = fileLock(path);
    const a = newHolder();
    const b = newHolder();
    expect(await lock.acquire(a, 10_000)).toBe(true);
    expect(await lock.acquire(b, 10_000)).toBe(false);
    expect(await lock.acquire(a, 10_000)).toBe(true);
    expect((await lock.inspect())?.token).toBe(a.token);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ token: a.token, pid: process.pid });
    await lock.release(b); // not the holder: no effect
    expect((await lock.inspect())?.token).toBe(a.token);
    await lock.release(a);
    expect(await lock.inspect()).toBeNull();
    expect(await lock.acquire(b, 10_000)).toBe(true);
  });

  it('an expired lease is taken over and its old holder can no longer renew', async () => {
    let now = 1_000_000;
    const path = await lockPath();
    const lock = fileLock(path, { clock: () => now });
    const crashed = newHolder();
    const next = newHolder();
    expect(await lock.acquire(crashed, 1_000)).toBe(true);
    now += 500;
    expect(await lock.acquire(next, 1_000)).toBe(false);
    expect(await lock.renew(crashed, 1_000)).toBe(true);
    now += 1_500;
    expect(await lock.inspect()).toBeNull();
    expect(await lock.acquire(next, 1_000)).toBe(true);
    expect(await lock.renew(crashed, 1_000)).toBe(false);
    expect((await lock.inspect())?.token).toBe(next.token);
  });

  it('a torn lock file (crash while writing it) counts as expired', async () => {
    const path = await lockPath();
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '{"tok');
    const lock = fileLock(path);
    expect(await lock.acquire(newHolder(), 1_000)).toBe(true);
  });

  it('of many concurrent acquirers exactly one wins, also when taking over an expired lease', async () => {
    for (const expiredFirst of [false, true]) {
      const path = await lockPath();
      const lock = fileLock(path);
      if (expiredFirst) {
        await mkdir(join(path, '..'), { recursive: true });
        await writeFile(path, JSON.stringify({ ...newHolder(), expiresAt: new Date(Date.now() - 1000).toISOString() }));
      }
      const holders = Array.from({ length: 16 }, () => newHolder());
      const won = await Promise.all(holders.map((h) => fileLock(path).acquire(h, 10_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect((await lock.inspect())?.token).toBe(holders[won.indexOf(true)]!.token);
    }
  });

  it('taking over an expired lease never removes the fresh lease another acquirer just made (many rounds)', async () => {
    // A breaker that read the expired lease used to rename whatever lay at the path by then, which could be a
    // winner's fresh lease, and a third acquirer could create its own before it was put back: two winners.
    for (let round = 0; round < 40; round++) {
      const path = await lockPath();
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, JSON.stringify({ ...newHolder(), expiresAt: new Date(Date.now() - 1000).toISOString() }));
      const holders = Array.from({ length: 12 }, () => newHolder());
      const won = await Promise.all(holders.map((h) => fileLock(path).acquire(h, 10_000)));
      const winners = holders.filter((_, i) => won[i]);
      expect(winners, `round ${round}`).toHaveLength(1);
      expect((await fileLock(path).inspect())?.token).toBe(winners[0]!.token);
    }
  });
});
