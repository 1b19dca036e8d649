// Every plugin's ledger and lock run this suite (like keyv's test-suite): same behaviour on every backend.
import type { Ledger, LedgerEntry, LockHolder } from '@tidemark/core';
import { newHolder } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

export interface LedgerFixture {
  ledger: Ledger;
  /** A second handle on the same ledger (another connection/process view), for races. Default: the same. */
  other?: Ledger;
  cleanup(): Promise<void>;
  /**
   * The clock the ledger's lock reads (e.g. `testClock()` passed to `memoryLock(clock.now)`). When given, lease
   * expiry is tested by advancing it instead of sleeping past the TTL.
   */
  clock?: { now(): number; advance(ms: number): void | Promise<void> };
}

export interface ConformanceOptions {
  /** Smallest lease the backend can express reliably (e.g. 1000 ms for second-resolution TTLs). */
  minTtlMs?: number;
}

const entry = (id: string, extra: Partial<LedgerEntry> = {}): LedgerEntry => ({
  id,
  checksum: `sum-${id}`,
  outcome: 'applied',
  at: '2026-01-02T03:04:05.000Z',
  durationMs: 12,
  by: 'tester@host:1',
  runId: 'run-1',
  ...extra,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What a step may attach with `ctx.record`: any JSON, so the awkward parts too (keys with dots, `$` and spaces,
 * a NUL and escapes in strings, floats that are not short decimals, empty containers, nesting).
 */
const recordedData = (): Record<string, unknown> => ({
  backupId: '1AbC-xyz_09',
  backupAt: '2026-01-02T03:04:05.000Z',
  rows: 10_000,
  ratio: 0.1 + 0.2,
  negative: -3.5e-7,
  largest: Number.MAX_SAFE_INTEGER,
  ok: true,
  skipped: false,
  none: null,
  list: [1, 'two', { three: [3] }, [], {}],
  nested: {
    'dotted.key': 1,
    $dollar: 'x',
    'spaced key': 'ünïcødé ✓ "quoted" back\\slash\nnew line\ttab',
    nul: 'a\u0000b',
    deeper: { checks: { schema: true, versions: false } },
  },
});

export function describeLedgerConformance(
  name: string,
  make: () => Promise<LedgerFixture>,
  options: ConformanceOptions = {},
): void {
  const ttl = options.minTtlMs ?? 200;
  describe(`ledger conformance: ${name}`, () => {
    let fx: LedgerFixture;
    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    test('a new ledger is empty', async () => {
      expect(await fx.ledger.read()).toEqual([]);
    });

    test('record keeps every field and read returns entries in record order', async () => {
      const a = entry('001_a', { snapshot: { guard: 'archive', ref: 'archives/x.zip' }, note: 'n' });
      const b = entry('002_b', { outcome: 'baselined', durationMs: 0 });
      const c = entry('003_c', { outcome: 'failed', note: 'up: boom' });
      await fx.ledger.record(a);
      await fx.ledger.record(b);
      await fx.ledger.record(c);
      expect(await fx.ledger.read()).toEqual([a, b, c]);
    });

    test("an entry's data (what a step recorded) round-trips exactly, through another handle too", async () => {
      const a = entry('001_a', { data: recordedData() });
      const b = entry('002_b', { outcome: 'failed', note: 'up: boom', data: { checks: { smoke: false } } });
      await fx.ledger.record(a);
      await fx.ledger.record(b);
      await fx.ledger.record(entry('003_c'));
      const expected = [a, b, entry('003_c')];
      expect(await fx.ledger.read()).toEqual(expected);
      expect(await (fx.other ?? fx.ledger).read()).toEqual(expected);
      const [read] = await fx.ledger.read();
      expect(read?.data).toStrictEqual(recordedData());
      expect('data' in (await fx.ledger.read())[2]!).toBe(false);
    });

    test('the ledger keeps its own copy: changing an entry after record or after read changes nothing', async () => {
      const a = entry('001_a', { data: { backupId: 'b1', counts: { rows: 1 } }, snapshot: { guard: 'g', ref: 'r1' } });
      await fx.ledger.record(a);
      (a.data!.counts as { rows: number }).rows = 2;
      a.snapshot!.ref = 'changed';
      const [first] = await fx.ledger.read();
      (first!.data!.counts as { rows: number }).rows = 3;
      first!.data!.added = true;
      expect((await fx.ledger.read())[0]).toEqual(
        entry('001_a', { data: { backupId: 'b1', counts: { rows: 1 } }, snapshot: { guard: 'g', ref: 'r1' } }),
      );
    });

    test('recording an id again replaces its entry', async () => {
      await fx.ledger.record(entry('001_a', { outcome: 'failed', note: 'boom', data: { attempt: 1 } }));
      await fx.ledger.record(entry('001_a', { runId: 'run-2' }));
      const all = await fx.ledger.read();
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ id: '001_a', outcome: 'applied', runId: 'run-2' });
      expect(all[0]?.note).toBeUndefined();
      expect(all[0]?.data).toBeUndefined();
      await fx.ledger.record(entry('001_a', { runId: 'run-3', data: { attempt: 3 } }));
      expect((await fx.ledger.read())[0]).toEqual(entry('001_a', { runId: 'run-3', data: { attempt: 3 } }));
    });

    test('remove deletes one entry and tolerates unknown ids', async () => {
      await fx.ledger.record(entry('001_a'));
      await fx.ledger.record(entry('002_b'));
      await fx.ledger.remove('001_a');
      await fx.ledger.remove('nope');
      expect((await fx.ledger.read()).map((e) => e.id)).toEqual(['002_b']);
    });

    test('a free lock is acquired once; a second holder is refused', async () => {
      const a = newHolder();
      const b = newHolder();
      expect(await fx.ledger.lock.acquire(a, 60_000)).toBe(true);
      expect(await (fx.other ?? fx.ledger).lock.acquire(b, 60_000)).toBe(false);
      const state = await fx.ledger.lock.inspect();
      expect(state).toMatchObject({ token: a.token, host: a.host, pid: a.pid });
      expect(Date.parse(state!.expiresAt)).toBeGreaterThan(fx.clock?.now() ?? Date.now());
      await fx.ledger.lock.release(a);
      expect(await fx.ledger.lock.inspect()).toBeNull();
      expect(await (fx.other ?? fx.ledger).lock.acquire(b, 60_000)).toBe(true);
      await (fx.other ?? fx.ledger).lock.release(b);
    });

    test('only the holder renews or releases', async () => {
      const a = newHolder();
      const b = newHolder();
      expect(await fx.ledger.lock.acquire(a, 60_000)).toBe(true);
      expect(await fx.ledger.lock.renew(b, 60_000)).toBe(false);
      await fx.ledger.lock.release(b);
      expect((await fx.ledger.lock.inspect())?.token).toBe(a.token);
      expect(await fx.ledger.lock.renew(a, 60_000)).toBe(true);
      await fx.ledger.lock.release(a);
    });

    test('an expired lease is taken over, and the old holder learns it lost it', async () => {
      const crashed = newHolder();
      const next = newHolder();
      expect(await fx.ledger.lock.acquire(crashed, ttl)).toBe(true);
      if (fx.clock) await fx.clock.advance(ttl * 2 + 50);
      else await sleep(ttl * 2 + 50);
      expect(await (fx.other ?? fx.ledger).lock.acquire(next, 60_000)).toBe(true);
      expect(await fx.ledger.lock.renew(crashed, 60_000)).toBe(false);
      await fx.ledger.lock.release(crashed);
      expect((await fx.ledger.lock.inspect())?.token).toBe(next.token);
      await (fx.other ?? fx.ledger).lock.release(next);
    });

    test('of many holders racing for a free lock exactly one wins', async () => {
      const holders: LockHolder[] = Array.from({ length: 10 }, () => newHolder());
      const ledgers = holders.map((_, i) => (i % 2 === 0 ? fx.ledger : (fx.other ?? fx.ledger)));
      const won = await Promise.all(holders.map((h, i) => ledgers[i]!.lock.acquire(h, 60_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
      const winner = holders[won.indexOf(true)]!;
      await fx.ledger.lock.release(winner);
    });

    test('checkpoints, when offered, survive and clear', async () => {
      if (!fx.ledger.checkpoints) return;
      const store = fx.ledger.checkpoints;
      expect(await store.load('001_a')).toBeNull();
      await store.save('001_a', { cursor: 42, done: ['x'] });
      expect(await store.load('001_a')).toEqual({ cursor: 42, done: ['x'] });
      await store.save('001_a', { cursor: 43 });
      expect(await store.load('001_a')).toEqual({ cursor: 43 });
      await store.clear('001_a');
      expect(await store.load('001_a')).toBeNull();
    });
  });
}
