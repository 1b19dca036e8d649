// The in-flight journal: only a journal this guard wrote, for this run, over the zip it wrote, is ever
// restored from; and a journal whose run had finished is dropped at the start of the next up, never
// restored from weeks later.
import { createWriteStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createRunner, defineMigration, type Migration, type TidemarkEvent } from '@tidemark/core';
import yazl from 'yazl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../file-ops.js';
import { readLedgerEntries } from '../ledger.js';
import { runDirsPlugin } from '../plugin.js';
import { runPath, type RunDirTarget } from '../target.js';
import { guardReasonOf } from './refusal.js';
import {
  ARCHIVE_INFLIGHT,
  archiveGuard,
  hardlinkSnapshotGuard,
  LEGACY_ARCHIVE_INFLIGHT,
  SNAPSHOT_INFLIGHT,
} from './snapshot-guard.js';
import { createRunArchive } from './zip-archive.js';
import { guardTestMigrations } from './test/guard-migrations.js';
import { createTempFolder, type TempFolder } from '@tidemark/testing';
import { buildLegacyRun } from '../testing/legacy-run.js';
import { dataState } from './test/tree-state.js';

let tmp: TempFolder;
let target: RunDirTarget;
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-journal-');
  target = { dir: await buildLegacyRun(tmp.path, { runId: 'rlew-journal' }) };
});
afterEach(async () => tmp.remove());

const [g001, g002] = guardTestMigrations();

async function craftedZip(name: string): Promise<string> {
  const zip = new yazl.ZipFile();
  const done = pipeline(zip.outputStream, createWriteStream(join(target.dir, 'archives', name)));
  zip.addBuffer(Buffer.from('{"planted":true}'), 'ron.nodb', { mode: 0o100644 });
  zip.end();
  await done;
  return `archives/${name}`;
}

const zipRunner = (migrations: Migration<RunDirTarget>[], events: TidemarkEvent[] = []) =>
  createRunner({
    plugin: runDirsPlugin({ builtIn: false, migrations, guards: [archiveGuard()] }),
    target,
    lock: { waitMs: 3000 },
    onEvent: (e) => events.push(e),
  });

describe('a journal or zip planted in archives/ is never restored from', () => {
  it('a planted archives/.tidemark-inflight.json naming a crafted zip: refused, nothing restored', async () => {
    const ref = await craftedZip('crafted.zip');
    await writeFile(
      join(target.dir, LEGACY_ARCHIVE_INFLIGHT),
      JSON.stringify({ guard: 'run-dirs:archive', ref, runId: 'x', by: 'evil', startedAt: '2020-01-01' }),
    );
    const before = await dataState(target.dir);
    const error = await zipRunner([g001!])
      .up()
      .catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('JOURNAL_UNVERIFIED');
    expect(String(error)).toContain(LEGACY_ARCHIVE_INFLIGHT);
    expect(await dataState(target.dir)).toEqual(before);
  });

  it('a genuine journal whose zip was replaced by a crafted one: refused by the recorded sha256', async () => {
    const real = await createRunArchive(target.dir, 'rlew-journal');
    await writeFileAtomic(
      join(target.dir, ARCHIVE_INFLIGHT),
      JSON.stringify({
        format: 'tidemark.run-dirs.inflight/2',
        guard: 'run-dirs:archive',
        ref: real.ref,
        runId: 'rlew-journal',
        ledgerRun: 'r1',
        command: 'up',
        steps: ['g001-watershed-csv'],
        sha256: real.sha256,
        by: 'h:1',
        startedAt: '2020-01-01',
      }),
    );
    await craftedZip('swap.zip');
    await writeFile(real.path, await readFile(join(target.dir, 'archives', 'swap.zip')));
    const before = await dataState(target.dir);
    const error = await zipRunner([g001!])
      .up()
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/is not the archive that was recorded \(sha256/);
    expect(await dataState(target.dir)).toEqual(before);
  });

  it('a journal naming another run (a copied run folder) is refused', async () => {
    const real = await createRunArchive(target.dir, 'rlew-journal');
    await writeFileAtomic(
      join(target.dir, ARCHIVE_INFLIGHT),
      JSON.stringify({
        format: 'tidemark.run-dirs.inflight/2',
        guard: 'run-dirs:archive',
        ref: real.ref,
        runId: 'other-run',
        ledgerRun: 'r1',
        command: 'up',
        steps: [],
        sha256: real.sha256,
        by: 'h:1',
        startedAt: '2020-01-01',
      }),
    );
    const error = await zipRunner([g001!])
      .up()
      .catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('JOURNAL_UNVERIFIED');
    expect(String(error)).toMatch(/belongs to run "other-run"/);
  });
});

describe.each([
  ['zip', () => archiveGuard<RunDirTarget>(), ARCHIVE_INFLIGHT],
  ['hardlink', () => hardlinkSnapshotGuard<RunDirTarget>(), SNAPSHOT_INFLIGHT],
] as const)('a journal left by a crash after a successful migration (%s)', (_kind, makeGuard, journalPath) => {
  /** Runs g001 and leaves its journal behind exactly as a crash right after the last step would. */
  async function successThenCrash(): Promise<void> {
    let journal = '';
    const spy = defineMigration<RunDirTarget>({
      ...g001!,
      async up(ctx) {
        await g001!.up(ctx);
        journal = await readFile(runPath(ctx.target, journalPath), 'utf8');
      },
    });
    const result = await createRunner({
      plugin: runDirsPlugin({ builtIn: false, migrations: [spy], guards: [makeGuard()] }),
      target,
    }).up();
    expect(result.applied).toEqual(['g001-watershed-csv']);
    await writeFileAtomic(runPath(target, journalPath), journal, { internal: true });
  }

  it('is dropped by the next up even when it has nothing to do; weeks later a new migration restores nothing', async () => {
    await successThenCrash();
    const events: TidemarkEvent[] = [];
    const idle = await createRunner({
      plugin: runDirsPlugin({ builtIn: false, migrations: [g001!], guards: [makeGuard()] }),
      target,
      onEvent: (e) => events.push(e),
    }).up();
    expect(idle.outcome).toBe('nothing-to-do');
    await expect(stat(runPath(target, journalPath))).rejects.toMatchObject({ code: 'ENOENT' });

    // Weeks later: the web app wrote new results, and a new migration is released.
    await writeFile(runPath(target, 'wepp', 'new-results.txt'), 'written after the migration');
    const later = await createRunner({
      plugin: runDirsPlugin({ builtIn: false, migrations: [g001!, g002!], guards: [makeGuard()] }),
      target,
    }).up();
    expect(later.applied).toEqual(['g002-geojson-ids']);
    expect(await readFile(runPath(target, 'wepp', 'new-results.txt'), 'utf8')).toBe('written after the migration');
    expect(await readFile(runPath(target, 'watershed', 'hillslopes.json'), 'utf8')).toMatch(/"TopazID":"11"/);
  });

  it('straight into a new migration: the journal is recognised as finished (ledger run complete), not restored', async () => {
    await successThenCrash();
    await writeFile(runPath(target, 'wepp', 'new-results.txt'), 'new');
    const events: TidemarkEvent[] = [];
    const later = await createRunner({
      plugin: runDirsPlugin({ builtIn: false, migrations: [g001!, g002!], guards: [makeGuard()] }),
      target,
      onEvent: (e) => events.push(e),
    }).up();
    expect(later.applied).toEqual(['g002-geojson-ids']);
    expect(await readFile(runPath(target, 'wepp', 'new-results.txt'), 'utf8')).toBe('new');
    expect(events.some((e) => e.type === 'guard' && e.action === 'stale-journal-dropped')).toBe(true);
    expect(events.some((e) => e.type === 'guard' && e.action === 'interrupted-run-restored')).toBe(false);
    expect((await readLedgerEntries(target)).map((e) => [e.id, e.outcome])).toEqual([
      ['g001-watershed-csv', 'applied'],
      ['g002-geojson-ids', 'applied'],
    ]);
  });
});
