import { userInfo } from 'node:os';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { acquireLease, newHolder, whoAmI } from './lease.js';
import { memoryLock } from './memory-ledger.js';

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

describe('acquireLease', () => {
  test('renews in the background so the lease outlives its ttl, and releases', async () => {
    const lock = memoryLock();
    const lease = await acquireLease(lock, { ttlMs: 400, renewMs: 20 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(lease.signal.aborted).toBe(false);
    expect((await lock.inspect())?.token).toBe(lease.holder.token);
    expect(await lock.acquire(newHolder(), 1000)).toBe(false);
    await lease.release();
    await lease.release();
    expect(await lock.inspect()).toBeNull();
  });

  test('aborts its signal with LOCK_LOST when renewal is refused', async () => {
    const lock = memoryLock();
    const lease = await acquireLease(lock, { ttlMs: 1000, renewMs: 10, target: 't' });
    const state = await lock.inspect();
    await lock.release(state!);
    await lock.acquire(newHolder(), 10_000);
    await until(() => lease.signal.aborted);
    expect(lease.signal.aborted).toBe(true);
    expect(String(lease.signal.reason)).toContain('lease lost');
    await lease.release();
    expect(await lock.inspect()).not.toBeNull();
  });

  test('aborts with the cause when renewal throws', async () => {
    const lock = memoryLock();
    let fail = false;
    const flaky = {
      ...lock,
      renew: async (...a: Parameters<typeof lock.renew>) => {
        if (fail) throw new Error('connection reset');
        return lock.renew(...a);
      },
    };
    const lease = await acquireLease(flaky, { ttlMs: 1000, renewMs: 10 });
    fail = true;
    await until(() => lease.signal.aborted);
    expect(lease.signal.aborted).toBe(true);
    expect(String(lease.signal.reason)).toContain('lease renewal failed: connection reset');
    await lease.release();
  });

  test('times out naming the holder; an aborted signal stops the wait', async () => {
    const lock = memoryLock();
    await lock.acquire({ token: 'x', host: 'far', pid: 9, since: '2026-01-01T00:00:00.000Z' }, 60_000);
    await expect(acquireLease(lock, { waitMs: 30, pollMs: 5, target: 'db' })).rejects.toThrow(
      /target "db": lock not acquired within 30 ms held by far:9/,
    );
    const controller = new AbortController();
    controller.abort();
    await expect(acquireLease(lock, { waitMs: 10_000, pollMs: 5, signal: controller.signal })).rejects.toThrow(
      /aborted while waiting/,
    );
  });

  test('a waiter that gives up (timeout, abort, or a failing lock) releases what the lock keeps for it; the holder keeps the lock', async () => {
    const lock = memoryLock();
    const released: string[] = [];
    let failAcquire = false;
    const watched = {
      ...lock,
      acquire: async (...a: Parameters<typeof lock.acquire>) => {
        if (failAcquire) throw new Error('connection reset');
        return lock.acquire(...a);
      },
      release: async (holder: Parameters<typeof lock.release>[0]) => {
        released.push(holder.token);
        await lock.release(holder);
      },
    };
    await lock.acquire({ token: 'x', host: 'far', pid: 9, since: '2026-01-01T00:00:00.000Z' }, 60_000);
    await expect(acquireLease(watched, { waitMs: 30, pollMs: 5 })).rejects.toThrow(/lock not acquired/);
    const controller = new AbortController();
    controller.abort();
    await expect(acquireLease(watched, { waitMs: 10_000, pollMs: 5, signal: controller.signal })).rejects.toThrow(
      /aborted while waiting/,
    );
    failAcquire = true;
    await expect(acquireLease(watched, { waitMs: 10_000, pollMs: 5 })).rejects.toThrow(/connection reset/);
    expect(released).toHaveLength(3);
    expect(released).not.toContain('x');
    expect(new Set(released).size).toBe(3);
    expect((await lock.inspect())?.token).toBe('x');
  });

  test('whoAmI names user, host and pid', () => {
    expect(whoAmI()).toMatch(new RegExp(`^.+@.+:${process.pid}$`));
  });
});

describe('memoryLock', () => {
  test('expiry follows the clock it is given', async () => {
    let now = 1_000_000;
    const lock = memoryLock(() => now);
    const a = newHolder();
    expect(await lock.acquire(a, 100)).toBe(true);
    expect((await lock.inspect())?.expiresAt).toBe(new Date(1_000_100).toISOString());
    now += 99;
    expect(await lock.acquire(newHolder(), 100)).toBe(false);
    expect(await lock.renew(a, 100)).toBe(true);
    now += 50;
    expect(await lock.inspect()).not.toBeNull();
    now += 51;
    expect(await lock.inspect()).toBeNull();
    expect(await lock.renew(a, 100)).toBe(false);
    expect(await lock.acquire(a, 100)).toBe(true);
  });
});

describe('acquireLease: waiting and giving back', () => {
  const busy = async () => {
    const lock = memoryLock();
    const other = { token: 'other', host: 'h2', pid: 42, since: '2026-01-01T00:00:00.000Z' };
    await lock.acquire(other, 60_000);
    return lock;
  };

  test('a waiter is told once who holds the lock, and the timeout names the holder', async () => {
    const lock = await busy();
    const seen: string[] = [];
    const error = await acquireLease(lock, {
      waitMs: 120,
      pollMs: 5,
      target: 'tgt',
      onWait: (s) => seen.push(`${s.host}:${s.pid}`),
    }).catch((e: unknown) => e as Error & { code?: string });
    expect(seen).toEqual(['h2:42']);
    expect((error as { code: string }).code).toBe('LOCK_TIMEOUT');
    expect((error as Error).message).toMatch(
      /\[tidemark\] target "tgt": lock not acquired within 120 ms held by h2:42 since 2026-01-01T00:00:00.000Z, expires /,
    );
  });

  test('a lock that refuses without a holder to name says only the wait; an aborted wait says so', async () => {
    const lock = memoryLock();
    const refusing = { ...lock, acquire: async () => false, inspect: async () => null };
    const error = (await acquireLease(refusing, { waitMs: 30, pollMs: 5 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('[tidemark] lock not acquired within 30 ms');
    const controller = new AbortController();
    const waiting = acquireLease(await busy(), {
      waitMs: 10_000,
      pollMs: 5,
      target: 'tgt',
      signal: controller.signal,
    }).catch((e: unknown) => e as Error);
    setTimeout(() => controller.abort(), 30);
    const aborted = (await waiting) as Error & { code: string };
    expect(aborted.code).toBe('LOCK_TIMEOUT');
    expect(aborted.message).toBe('[tidemark] target "tgt": aborted while waiting for the lock');
  });

  test('renews every ttl/3 by default; release gives the lock back once, and never after it was lost', async () => {
    const lock = memoryLock();
    let renewals = 0;
    let releases = 0;
    const counting = {
      ...lock,
      renew: async (...a: Parameters<typeof lock.renew>) => (renewals++, lock.renew(...a)),
      release: async (...a: Parameters<typeof lock.release>) => (releases++, lock.release(...a)),
    };
    const lease = await acquireLease(counting, { ttlMs: 150 });
    await new Promise((r) => setTimeout(r, 400));
    expect(renewals).toBeGreaterThanOrEqual(3);
    expect(renewals).toBeLessThanOrEqual(12);
    await lease.release();
    await lease.release();
    expect(releases).toBe(1);
    const after = renewals;
    await new Promise((r) => setTimeout(r, 120));
    expect(renewals).toBe(after);

    const lost = await acquireLease(counting, { ttlMs: 1000, renewMs: 10 });
    const state = await lock.inspect();
    await lock.release(state!);
    await lock.acquire(newHolder(), 10_000);
    await until(() => lost.signal.aborted);
    releases = 0;
    await lost.release();
    expect(releases).toBe(0);
  });

  test('whoAmI is user@host:pid', () => {
    expect(whoAmI()).toMatch(new RegExp(`^[^@]+@[^:]+:${process.pid}$`));
    expect(whoAmI().split('@')[0]).toBe(userInfo().username);
    expect(whoAmI(() => 'ada')).toMatch(new RegExp(`^ada@[^:]+:${process.pid}$`));
    // A container user without a passwd entry: os.userInfo() throws.
    const noEntry = () => {
      throw new Error('ENOENT: no such file or directory, uv_os_get_passwd');
    };
    expect(whoAmI(noEntry)).toMatch(new RegExp(`^unknown@[^:]+:${process.pid}$`));
  });
});

describe('acquireLease on a clock it does not own (fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  test('waits poll + a quarter of poll on a mid jitter, doubling to 1 s, the last wait cut to the deadline, then gives up', async () => {
    vi.useFakeTimers({ now: 0 });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const held = memoryLock();
    await held.acquire({ token: 'x', host: 'far', pid: 9, since: '2026-01-01T00:00:00.000Z' }, 600_000);
    const tries: number[] = [];
    const lock = {
      ...held,
      acquire: async (...a: Parameters<typeof held.acquire>) => (tries.push(Date.now()), held.acquire(...a)),
    };
    const waiting = acquireLease(lock, { waitMs: 3000, pollMs: 40, target: 't' }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const error = (await waiting) as Error;
    expect(error.message).toMatch(/lock not acquired within 3000 ms held by far:9/);
    // poll 40 → wait 50, 80 → 100, 160 → 200, 320 → 400, 640 → 800, 1000 → 1250 (capped), then the deadline.
    expect(tries).toEqual([0, 50, 150, 350, 750, 1550, 2800, 3000]);
  });

  test('the default first poll is 25 ms', async () => {
    vi.useFakeTimers({ now: 0 });
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const held = memoryLock();
    await held.acquire(newHolder(), 600_000);
    const tries: number[] = [];
    const lock = {
      ...held,
      acquire: async (...a: Parameters<typeof held.acquire>) => (tries.push(Date.now()), held.acquire(...a)),
    };
    const waiting = acquireLease(lock, { waitMs: 200 }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    await waiting;
    expect(tries).toEqual([0, 25, 75, 175, 200]);
  });

  test('a lost lease stops renewing; the reason names the target', async () => {
    vi.useFakeTimers({ now: 0 });
    const lock = memoryLock();
    let renewals = 0;
    let refuse = false;
    let fail = false;
    const counting = {
      ...lock,
      renew: async (...a: Parameters<typeof lock.renew>) => {
        renewals += 1;
        if (fail) throw new Error('connection reset');
        return refuse ? false : lock.renew(...a);
      },
    };
    const lease = await acquireLease(counting, { ttlMs: 3000, renewMs: 1000, target: 'db' });
    await vi.advanceTimersByTimeAsync(2500);
    expect(renewals).toBe(2);
    refuse = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(lease.signal.aborted).toBe(true);
    expect((lease.signal.reason as Error).message).toBe('[tidemark] target "db": lease lost');
    await vi.advanceTimersByTimeAsync(5000);
    expect(renewals).toBe(3);
    await lease.release();

    const second = await acquireLease(counting, { ttlMs: 3000, renewMs: 1000, target: 'db' });
    fail = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect((second.signal.reason as { code?: string }).code).toBe('LOCK_LOST');
    expect((second.signal.reason as Error).message).toBe(
      '[tidemark] target "db": lease renewal failed: connection reset',
    );
    await second.release();
  });
});
