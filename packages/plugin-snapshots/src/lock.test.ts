import { createRunner, newHolder, type TidemarkEvent } from '@tidemark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { typeormLedger } from './ledger.js';
import { snapshotsPlugin } from './plugin.js';
import { loadSampleData } from './sample-data.js';
import { loadState, readState } from './state.js';
import { sql } from './transaction.js';
import { dialects, pgTestDb, type TestDb } from './test/databases.js';

describe.each(dialects)('lease lock on %s', (_name, open) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it('implements the Lease Lock contract: exclusive, renewable, released by its holder, taken over when expired', async () => {
    db = await open();
    let now = Date.parse('2026-01-04T12:00:00Z');
    const lock = typeormLedger(db.ds, { clock: () => now }).lock;
    const a = newHolder();
    const b = newHolder();
    expect(await lock.inspect()).toBeNull();
    expect(await lock.acquire(a, 1000)).toBe(true);
    expect(await lock.acquire(a, 1000)).toBe(true); // re-entrant for the same holder
    expect(await lock.acquire(b, 1000)).toBe(false);
    expect((await lock.inspect())?.token).toBe(a.token);
    now += 500;
    expect(await lock.renew(a, 1000)).toBe(true);
    now += 900; // a's lease runs to +1500; still held
    expect(await lock.acquire(b, 1000)).toBe(false);
    await lock.release(b); // not the holder: no effect
    expect((await lock.inspect())?.token).toBe(a.token);
    now += 700; // expired: a crashed holder frees the lock by itself
    expect(await lock.inspect()).toBeNull();
    expect(await lock.acquire(b, 1000)).toBe(true);
    expect(await lock.renew(a, 1000)).toBe(false); // a lost its lease
    await lock.release(a);
    expect((await lock.inspect())?.token).toBe(b.token);
    await lock.release(b);
    expect(await lock.inspect()).toBeNull();
  });
});

describe('concurrency on postgres', () => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it('six runners started at once apply each migration exactly once', async () => {
    db = await pgTestDb(20);
    const ds = db.ds;
    await loadState(ds, await loadSampleData());
    const events: TidemarkEvent[] = [];
    const runners = Array.from({ length: 6 }, () =>
      createRunner({
        plugin: snapshotsPlugin({ batchSize: 3 }),
        target: ds,
        onEvent: (e) => events.push(e),
        lock: { waitMs: 30_000, ttlMs: 5_000, pollMs: 10 },
      }),
    );
    const results = await Promise.all(runners.map((r) => r.up()));
    const started = events
      .filter((e) => e.type === 'step:started')
      .map((e) => (e.type === 'step:started' ? e.migration : ''));
    expect(started.sort()).toEqual([
      '001_create_recipe_snapshots',
      '002_add_run_snapshot_link',
      '003_backfill_recipe_snapshots',
      '004_add_snapshot_foreign_keys',
    ]);
    expect(results.filter((r) => r.outcome === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'nothing-to-do')).toHaveLength(5);
    const [row] = await sql<{ n: unknown; runs: unknown }>(
      ds,
      'SELECT COUNT(*) AS n, COUNT(DISTINCT production_run_id) AS runs FROM recipe_snapshots',
    );
    expect([Number(row!.n), Number(row!.runs)]).toEqual([8, 8]);
    expect((await readState(ds)).production_runs.filter((r) => r.recipe_snapshot_id !== null)).toHaveLength(8);
  });
});
