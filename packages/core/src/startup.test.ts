import { describe, expect, test } from 'vitest';
import type { Ledger } from './contract.js';
import { runPendingMigrations } from './startup.js';
import { box, boxPlugin, flagTrait, setter, type Box } from './test/fixtures.js';

const m1 = setter('001', 'a', 1);
const m2 = setter('002', 'b', 2, { contexts: ['LABLET_ENABLED'] });

/** Counts what the startup path costs: ledger reads and lock attempts. */
function counting(t: Box) {
  const counts = { reads: 0, acquires: 0 };
  const ledger: Ledger = {
    ...t.ledger,
    read: async () => (counts.reads++, t.ledger.read()),
    lock: { ...t.ledger.lock, acquire: async (h, ttl) => (counts.acquires++, t.ledger.lock.acquire(h, ttl)) },
  };
  return { counts, plugin: boxPlugin([m1, m2], { ledger: () => ledger }) };
}

describe('runPendingMigrations', () => {
  test('migrates when something is pending', async () => {
    const t = box();
    const result = await runPendingMigrations({ plugin: boxPlugin([m1, m2]), target: t });
    expect(result.outcome).toBe('migrated');
    expect(result.applied).toEqual(['001', '002']);
  });

  test('a run that only baselines (its trait finds nothing) still changed the ledger: migrated', async () => {
    const t = box();
    const plugin = boxPlugin([m1], { traits: [flagTrait('legacy-a', 'a', ['001'])] });
    const result = await runPendingMigrations({ plugin, target: t });
    expect(result).toMatchObject({ outcome: 'migrated', applied: [] });
    expect(result.result?.baselined).toEqual(['001']);
  });

  test('with nothing pending it costs exactly one ledger read and takes no lock', async () => {
    const t = box();
    await runPendingMigrations({ plugin: boxPlugin([m1, m2]), target: t });
    const { counts, plugin } = counting(t);
    const result = await runPendingMigrations({ plugin, target: t });
    expect(result).toEqual({ outcome: 'up-to-date', applied: [] });
    expect(counts).toEqual({ reads: 1, acquires: 0 });
  });

  test('a failed entry counts as pending', async () => {
    const t = box();
    await t.ledger.record({
      id: '001',
      checksum: m1.checksum,
      outcome: 'failed',
      at: new Date().toISOString(),
      durationMs: 0,
      by: 'x',
      runId: 'r',
    });
    await t.ledger.record({
      id: '002',
      checksum: m2.checksum,
      outcome: 'applied',
      at: new Date().toISOString(),
      durationMs: 0,
      by: 'x',
      runId: 'r',
    });
    const result = await runPendingMigrations({ plugin: boxPlugin([m1, m2]), target: t });
    expect(result.applied).toEqual(['001']);
  });

  test('feature-flag contexts select what the app applies at boot', async () => {
    const t = box();
    const off = await runPendingMigrations({ plugin: boxPlugin([m1, m2]), target: t, contexts: [] });
    expect(off.applied).toEqual(['001']);
    const { counts, plugin } = counting(t);
    expect((await runPendingMigrations({ plugin, target: t, contexts: [] })).outcome).toBe('up-to-date');
    expect(counts.acquires).toBe(0);
    const on = await runPendingMigrations({ plugin: boxPlugin([m1, m2]), target: t, contexts: ['LABLET_ENABLED'] });
    expect(on.applied).toEqual(['002']);
  });

  test('eight replicas booting at once apply each migration exactly once', async () => {
    const t = box();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        runPendingMigrations({ plugin: boxPlugin([m1, m2]), target: t, lock: { pollMs: 2, waitMs: 10_000 } }),
      ),
    );
    expect(t.log).toEqual(['up:001', 'up:002']);
    expect(results.filter((r) => r.outcome === 'migrated')).toHaveLength(1);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(['001', '002']);
  });
});
