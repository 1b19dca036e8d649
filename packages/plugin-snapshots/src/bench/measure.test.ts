// The bench's smoke test: a small size through every part of `pnpm bench` (data, plugin and limit rounds,
// the ORM loop on a sample), checking the data it produces, never its timings.
import { describe, expect, it } from 'vitest';
import { measureSize } from './measure.js';

describe('pnpm bench at 400 runs', () => {
  it('plugin, limit and a sample of the ORM loop write the same snapshots; the ORM figure is its sample scaled to every run', async () => {
    const lines: string[] = [];
    const r = await measureSize({
      runs: 400,
      rounds: 2,
      ormSample: 100,
      shape: { recipes: 40, ingredients: 30, linesPerRecipe: 4 },
      log: (l) => lines.push(l),
    });
    // The generator gives every 50th run a deleted recipe: those 8 are skipped, the other 392 get a snapshot.
    expect(r.snapshots).toBe(392);
    expect(r.linked).toBe(392);
    expect(r.pluginMs).toHaveLength(2);
    expect(r.limitMs).toHaveLength(2);
    expect(r.foreignKeysMs).toHaveLength(2);
    expect(r.limitSame).toBe(true);
    expect(r.pluginStable).toBe(true);
    expect(r.orm).toBeDefined();
    const orm = r.orm!;
    expect(orm.sampled).toBe(100);
    expect(orm.total).toBe(400);
    // Runs 1..100 hold two of the deleted recipe's runs (50 and 100).
    expect(orm.migrated).toBe(98);
    expect(orm.same).toBe(true);
    expect(orm.extrapolatedMs).toBeCloseTo(orm.ms * 4, 6);
    // CPU time is read from /proc for this process and the database's sessions (PostgreSQL runs here).
    expect(r.pluginCpuMs).toHaveLength(2);
    expect(r.limitCpuMs).toHaveLength(2);
    for (const ms of [...r.pluginCpuMs, ...r.limitCpuMs, orm.cpuMs!]) expect(ms).toBeGreaterThan(0);
    expect(orm.extrapolatedCpuMs).toBeCloseTo(orm.cpuMs! * 4, 6);
    expect(lines.some((l) => l.includes('a sample') && l.includes('extrapolated to all 400 runs'))).toBe(true);
    // The rounds alternate: plugin first in round 1, limit first in round 2.
    const order = lines.filter((l) => /^ {2}(plugin|limit):/.test(l)).map((l) => l.trim().split(':')[0]);
    expect(order).toEqual(['plugin', 'limit', 'limit', 'plugin']);
  });
});
