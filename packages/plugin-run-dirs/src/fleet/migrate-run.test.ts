// migrateRun without `guards` runs under the full default stack, as the fleet job does: a run that a killed
// writer left with temp files is swept before any step writes, and the sweep touches nothing else.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TidemarkEvent } from '@tidemark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { runDirsPlugin } from '../plugin.js';
import { createRunFromState, readRunState } from '../run-state.js';
import { fixtureCases } from '../test/fixture-cases.js';
import { FIXTURES_DIR } from '../test/fixtures-dir.js';
import { loadFixtureRun } from '../test/harness.js';
import { migrateRun } from './migrate-run.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('migrateRun default guards', () => {
  const legacy = fixtureCases.find((c) => c.name === 'full-legacy-run')!;

  it('sweeps the temp files a killed writer left before the first step, and nothing else', async () => {
    const { target, cleanup } = await createRunFromState(legacy.before);
    cleanups.push(cleanup);
    // What a writer killed between "write temp" and "rename" leaves beside the intact originals.
    const orphans = ['nodb.version.tidemark-0badc0de.tmp', 'watershed/hillslopes.csv.tidemark-deadbeef.tmp'];
    for (const rel of orphans) {
      await mkdir(dirname(join(target.dir, rel)), { recursive: true });
      await writeFile(join(target.dir, rel), 'half writ');
    }
    // A user's own .tmp file is not the file discipline's: it stays.
    await writeFile(join(target.dir, 'notes.tmp'), 'keep me\n');

    const events: TidemarkEvent[] = [];
    const report = await migrateRun({ target, plugin: runDirsPlugin(), onEvent: (e) => events.push(e) });

    expect(report.status, report.error).toBe('migrated');
    expect(report.archiveBefore, 'the default stack archives before the run').toMatch(
      /\.pre_migration\.\d{8}T\d{6}Z\.zip$/,
    );
    const sweep = events.findIndex(
      (e) => e.type === 'guard' && e.guard === 'temp-sweep' && e.action === 'orphan-temps-removed',
    );
    expect(sweep, 'the temp-sweep guard reported what it removed').toBeGreaterThanOrEqual(0);
    expect(
      [...((events[sweep] as Extract<TidemarkEvent, { type: 'guard' }>).detail?.files as string[])].sort(),
    ).toEqual(orphans);
    expect(sweep, 'swept before any step ran').toBeLessThan(events.findIndex((e) => e.type === 'step:started'));

    const after = await loadFixtureRun(join(FIXTURES_DIR, legacy.name, 'after'));
    expect(await readRunState(target)).toEqual({
      ...after,
      files: { ...after.files, 'notes.tmp': { text: 'keep me\n' } },
    });
  }, 60_000);

  it('two concurrent migrateRun on the same run: one migrates it, the waiter that applied nothing reports unchanged', async () => {
    const { target, cleanup } = await createRunFromState(legacy.before);
    cleanups.push(cleanup);
    const reports = await Promise.all(
      [0, 1].map(() => migrateRun({ target, plugin: runDirsPlugin(), lock: { waitMs: 60_000 } })),
    );
    expect(reports.map((r) => r.status).sort(), JSON.stringify(reports.map((r) => r.error))).toEqual([
      'migrated',
      'unchanged',
    ]);
    const waiter = reports.find((r) => r.status === 'unchanged')!;
    expect(waiter.applied).toEqual([]);
    expect(waiter.archiveBefore, 'the waiter took no archive').toBeUndefined();
    const after = await loadFixtureRun(join(FIXTURES_DIR, legacy.name, 'after'));
    expect(await readRunState(target)).toEqual(after);
  }, 90_000);
});
