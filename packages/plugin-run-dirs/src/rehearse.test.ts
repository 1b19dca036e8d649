import { appendFile, readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createRunner, defineMigration } from '@tidemark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { readLedgerEntries } from './ledger.js';
import { runDirsPlugin } from './plugin.js';
import { createRunFromState, readRunState } from './run-state.js';
import { runPath, type RunDirTarget } from './target.js';
import { fixtureCases } from './test/fixture-cases.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const legacy = fixtureCases.find((c) => c.name === 'full-legacy-run')!;

describe('rehearse() on a hard-link copy', () => {
  it('applies the plan on the copy, reports the changed files, leaves the run as it was and removes the copy', async () => {
    const { target, cleanup } = await createRunFromState(legacy.before);
    cleanups.push(cleanup);
    const siblings = await readdir(dirname(target.dir));
    const runner = createRunner({ plugin: runDirsPlugin(), target });
    const plan = await runner.plan();
    expect(plan.steps.length).toBeGreaterThan(0);

    const report = await runner.rehearse();
    expect(report.outcome, report.error).toBe('ok');
    expect(report.applied).toEqual(plan.steps.map((s) => s.id));
    const paths = report.diff.changes.map((c) => `${c.kind} ${c.path}`);
    expect(paths).toContain('added nodb.version');
    expect(paths).toContain('removed watershed/hillslopes.csv');
    expect(paths.some((p) => p.endsWith('watershed/hillslopes.parquet'))).toBe(true);
    expect(paths.some((p) => p.includes('archives/') || p.includes('.tidemark/'))).toBe(false);
    expect(report.diff.summary).toMatch(/path\(s\) of the run would change/);

    expect(await readRunState(target)).toEqual(legacy.before);
    expect(await readLedgerEntries(target)).toEqual([]);
    expect(await readdir(dirname(target.dir))).toEqual(siblings);
    // The real up then does what the rehearsal showed.
    expect((await runner.up()).applied).toEqual(report.applied);
  });

  it('a step that writes in place is caught: the rehearsal fails instead of claiming the run was untouched', async () => {
    const { target, cleanup } = await createRunFromState(legacy.before);
    cleanups.push(cleanup);
    const inPlace = defineMigration<RunDirTarget>({
      id: 'x001-in-place',
      title: 'appends to ron.nodb in place',
      async up(ctx) {
        await appendFile(runPath(ctx.target, 'ron.nodb'), ' ');
      },
    });
    const runner = createRunner({
      plugin: runDirsPlugin({ builtIn: false, migrations: [inPlace], snapshot: 'none' }),
      target,
    });
    await expect(runner.rehearse()).rejects.toThrow(/changed the real run in place \(ron\.nodb\)/);
    expect(await readdir(dirname(target.dir))).toEqual([target.dir.split('/').pop()]);
  });
});
