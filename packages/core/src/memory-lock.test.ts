// The in-memory lock on a clock it is given: expiry at the instant, re-entry by the holder, release by anyone.
import { describe, expect, test } from 'vitest';
import { TidemarkError } from './errors.js';
import { memoryLock } from './memory-ledger.js';

const holder = (token: string) => ({ token, host: 'h', pid: 1, since: '2026-01-01T00:00:00.000Z' });

describe('memoryLock', () => {
  test('a lease expires at its instant: another holder may take it then, not a millisecond before', async () => {
    let now = 1000;
    const lock = memoryLock(() => now);
    expect(await lock.acquire(holder('a'), 100)).toBe(true);
    now = 1099;
    expect(await lock.acquire(holder('b'), 100)).toBe(false);
    expect((await lock.inspect())?.token).toBe('a');
    now = 1100;
    expect(await lock.inspect()).toBeNull();
    expect(await lock.renew(holder('a'), 100)).toBe(false);
    expect(await lock.acquire(holder('b'), 100)).toBe(true);
  });

  test('the holder may acquire again (it extends); release by a non-holder or of a free lock changes nothing', async () => {
    let now = 0;
    const lock = memoryLock(() => now);
    await lock.release(holder('nobody'));
    expect(await lock.inspect()).toBeNull();
    expect(await lock.acquire(holder('a'), 100)).toBe(true);
    now = 50;
    expect(await lock.acquire(holder('a'), 100)).toBe(true);
    expect((await lock.inspect())?.expiresAt).toBe(new Date(150).toISOString());
    await lock.release(holder('b'));
    expect((await lock.inspect())?.token).toBe('a');
    await lock.release(holder('a'));
    expect(await lock.inspect()).toBeNull();
  });
});

test('a TidemarkError is named so in stack traces and logs', () => {
  const error = new TidemarkError('LOCK_LOST', 'x');
  expect(error.name).toBe('TidemarkError');
  expect(String(error)).toBe('TidemarkError: [tidemark] x');
});
