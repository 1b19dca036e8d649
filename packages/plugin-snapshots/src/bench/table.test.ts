// The bench prints the hand-written limit beside the plugin and the ORM loop, with both ratios and their goals.
import { describe, expect, it } from 'vitest';
import type { SizeResult } from './measure.js';
import { benchTable } from './table.js';

const row = (over: Partial<SizeResult> = {}): SizeResult =>
  ({
    runs: 100_000,
    snapshots: 98_000,
    linked: 98_000,
    pluginMs: [1500, 1400, 1600],
    foreignKeysMs: [300, 300, 300],
    limitMs: [1320, 1250, 1350],
    pluginCpuMs: [900, 900, 900],
    limitCpuMs: [800, 800, 800],
    limitSame: true,
    pluginStable: true,
    orm: {
      sampled: 10_000,
      total: 100_000,
      ms: 7000,
      extrapolatedMs: 70_000,
      migrated: 9800,
      same: true,
      cpuMs: 5000,
      extrapolatedCpuMs: 50_000,
    },
    ...over,
  }) as SizeResult;

describe('benchTable', () => {
  it('one line per size: plugin, limit, ORM loop, plugin / limit and ORM / plugin against their goals', () => {
    const { lines, sameRows } = benchTable([
      row(),
      row({
        runs: 1_000_000,
        pluginMs: [20_000],
        limitMs: [10_000],
        orm: { sampled: 10_000, total: 1_000_000, ms: 7000, extrapolatedMs: 700_000, migrated: 9800, same: true },
      }),
    ]);
    expect(sameRows).toBe(true);
    expect(lines[1]).toContain('| limit (median; min–max) | plugin / limit (goal ≤ 1.15x) |');
    expect(lines[1]).toContain('| ORM / plugin (goal ≥ 50x) |');
    expect(lines[3]).toBe(
      '| 100000 | 1.50 s (1.40 s–1.60 s) | 0.30 s | 1.32 s (1.25 s–1.35 s) | 1.14x met | 0.90 s / 0.80 s = 1.13x | ~70.00 s (10000 runs: 7.00 s) | 46.7x NOT met | 55.6x | yes |',
    );
    expect(lines[4]).toBe(
      '| 1000000 | 20.00 s | 0.30 s | 10.00 s | 2.00x NOT met | 0.90 s / 0.80 s = 1.13x | ~700.00 s (10000 runs: 7.00 s) | 35.0x NOT met | — | yes |',
    );
  });

  it('says when the approaches wrote different rows', () => {
    expect(benchTable([row({ limitSame: false })]).sameRows).toBe(false);
    expect(benchTable([row({ limitSame: false })]).lines[3]).toMatch(/\| NO \|$/);
  });
});
