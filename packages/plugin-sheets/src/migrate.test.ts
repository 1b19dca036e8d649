import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunner } from '@tidemark/core';
import { migrateSheet, rollbackSheet, sheetsPlugin, verifySheet, V21_HEADERS, V30_ADDED_HEADERS } from './index.js';
import { gridOf, newTarget, seedSheet, startEmulator } from './test/harness.js';
import { v21Values } from './test/sample.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;

describe('migrateSheet on a v2.1 sheet', () => {
  let id: string;
  beforeAll(() => {
    id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(40), columnCount: 65, rowCount: 60 }]);
  });

  it('adds the three columns, sets version 0 on every spool, passes the seven checks, within 15 requests', async () => {
    const target = newTarget(id);
    const result = await migrateSheet(target);
    expect(result.applied).toEqual([
      '001_create_backup',
      '002_add_v3_columns',
      '003_verify_schema',
      '004_initialize_versions',
      '005_smoke_checks',
    ]);
    const grid = gridOf(emulator, id);
    expect(grid.columnCount).toBe(68);
    expect(grid.values![0]).toEqual([...V21_HEADERS, ...V30_ADDED_HEADERS]);
    for (const row of grid.values!.slice(1)) expect(row[67]).toBe(0);
    expect(result.report?.success).toBe(true);
    expect(result.report?.exitCode).toBe(0);
    // 15, plus the 3 reads of core's lock-free plan that tells a start with work from a no-op one
    expect(result.stats.requests).toBeLessThanOrEqual(18);
  });

  it('is idempotent: a second run plans nothing and writes nothing', async () => {
    const target = newTarget(id);
    const before = emulator.writes().length;
    const plan = await createRunner({ plugin: sheetsPlugin(), target }).plan();
    expect(plan.steps).toEqual([]);
    const again = await migrateSheet(newTarget(id));
    expect(again.outcome).toBe('nothing-to-do');
    // a no-op start is reads only: not even the lease touches the spreadsheet
    expect(
      emulator
        .writes()
        .slice(before)
        .map((w) => w.op),
    ).toEqual([]);
  });

  it('verify reports all seven checks with exit code 0', async () => {
    const report = await verifySheet(newTarget(id));
    expect(Object.keys(report.checks)).toHaveLength(7);
    expect(report.exitCode).toBe(0);
  });

  it('rolls back by deleting the added columns, verified', async () => {
    const result = await rollbackSheet(newTarget(id));
    expect(result.reverted).toEqual([
      '005_smoke_checks',
      '004_initialize_versions',
      '003_verify_schema',
      '002_add_v3_columns',
      '001_create_backup',
    ]);
    const grid = gridOf(emulator, id);
    expect(grid.columnCount).toBe(65);
    expect(grid.values).toEqual(
      v21Values(40).map((r) => {
        const x = [...r];
        while (x.length && x[x.length - 1] === '') x.pop();
        return x;
      }),
    );
  });
});
