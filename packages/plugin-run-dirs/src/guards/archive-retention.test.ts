import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFleetCli } from '../fleet/cli.js';
import { fleetTestPlugin } from '../fleet/test/fleet-plugin.js';
import { writeFileAtomic } from '../file-ops.js';
import type { RunDirTarget } from '../target.js';
import { listRunArchives, parseAge, pruneRunArchives } from './archive-retention.js';
import { ARCHIVE_INFLIGHT } from './snapshot-guard.js';
import { createTempFolder, type TempFolder } from '@tidemark/testing';
import { buildLegacyRun } from '../testing/legacy-run.js';

let tmp: TempFolder;
let target: RunDirTarget;
const RUN = 'rlew-keep';
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-retention-');
  target = { dir: await buildLegacyRun(join(tmp.path, 'runs'), { runId: RUN }) };
});
afterEach(async () => tmp.remove());

const NOW = new Date('2026-06-30T00:00:00Z');
const archive = async (name: string) => writeFile(join(target.dir, 'archives', name), 'zip');
const names = async () => (await readdir(join(target.dir, 'archives'))).sort();

async function seed(): Promise<void> {
  await archive(`${RUN}.pre_migration.20260101T000000Z.zip`);
  await archive(`${RUN}.post_migration.20260101T000100Z.zip`);
  await archive(`${RUN}.pre_migration.20260301T000000Z.zip`);
  await archive(`${RUN}.pre_migration.20260620T000000Z.zip`);
  await archive(`${RUN}.post_migration.20260620T000100Z.zip`);
  await archive('someone-else.pre_migration.20200101T000000Z.zip'); // not this run's: never touched
  await archive('notes.txt');
}

describe('pruneRunArchives', () => {
  it('--keep-last N keeps the newest N; other files in archives/ are never candidates', async () => {
    await seed();
    const r = await pruneRunArchives(target, { keepLast: 2, verified: true, now: () => NOW });
    expect(r.deleted.sort()).toEqual([
      `${RUN}.post_migration.20260101T000100Z.zip`,
      `${RUN}.pre_migration.20260101T000000Z.zip`,
      `${RUN}.pre_migration.20260301T000000Z.zip`,
    ]);
    expect(await names()).toEqual([
      'notes.txt',
      `${RUN}.20200101T000000Z.zip`,
      `${RUN}.post_migration.20260620T000100Z.zip`,
      `${RUN}.pre_migration.20260620T000000Z.zip`,
      'someone-else.pre_migration.20200101T000000Z.zip',
    ]);
  });

  it('--older-than D deletes only archives older than D; with --keep-last an archive kept by either rule stays', async () => {
    await seed();
    const r = await pruneRunArchives(target, {
      olderThanMs: parseAge('30d'),
      keepLast: 3,
      verified: true,
      now: () => NOW,
      dryRun: true,
    });
    expect(r.deleted.sort()).toEqual([
      `${RUN}.post_migration.20260101T000100Z.zip`,
      `${RUN}.pre_migration.20260101T000000Z.zip`,
    ]);
    expect(await names()).toHaveLength(8); // dry run
    const only = await pruneRunArchives(target, { olderThanMs: parseAge('150d'), verified: true, now: () => NOW });
    expect(only.deleted.sort()).toEqual([
      `${RUN}.post_migration.20260101T000100Z.zip`,
      `${RUN}.pre_migration.20260101T000000Z.zip`,
    ]);
  });

  it('never deletes the newest pre-migration archive of a run whose migration is not verified', async () => {
    await seed();
    const r = await pruneRunArchives(target, { keepLast: 0, now: () => NOW });
    expect(await names()).toContain(`${RUN}.pre_migration.20260620T000000Z.zip`);
    expect(r.kept).toEqual([
      {
        name: `${RUN}.pre_migration.20260620T000000Z.zip`,
        why: 'newest pre-migration archive of a run whose migration is not verified',
      },
    ]);
    expect(r.deleted).toHaveLength(4);
  });

  it('never deletes the archive an in-flight journal names', async () => {
    await seed();
    await writeFileAtomic(
      join(target.dir, ARCHIVE_INFLIGHT),
      JSON.stringify({ ref: `archives/${RUN}.pre_migration.20260101T000000Z.zip` }),
      { internal: true },
    );
    await pruneRunArchives(target, { keepLast: 0, verified: true, now: () => NOW });
    expect((await listRunArchives(target)).filter((a) => a.kind !== '').map((a) => a.name)).toEqual([
      `${RUN}.pre_migration.20260101T000000Z.zip`,
    ]);
  });

  it('needs a rule, and a sane one', async () => {
    await expect(pruneRunArchives(target, {})).rejects.toThrow(/needs keepLast and\/or olderThanMs/);
    expect(() => parseAge('soon')).toThrow(/not an age/);
    expect(parseAge('2w')).toBe(14 * 86_400_000);
  });
});

describe('tidemark-run-dirs prune-archives and up --archive-after', () => {
  it("up --archive-after writes a post-migration archive; prune-archives --keep-last 1 keeps the verified run's newest", async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    err.resume();
    const io = { stdout: out, stderr: err, env: {}, plugin: fleetTestPlugin() };
    expect(await runFleetCli(['up', join(tmp.path, 'runs'), '--archive-after', '--no-progress'], io)).toBe(0);
    const after = await listRunArchives(target);
    expect(after.map((a) => a.kind).sort()).toEqual(['', 'post_migration', 'pre_migration']);
    expect(await runFleetCli(['prune-archives', join(tmp.path, 'runs'), '--keep-last', '1'], io)).toBe(0);
    expect(text).toMatch(new RegExp(`run=${RUN} verified=true deleted=1 kept=1`));
    // The user's own archive (no kind) is never a candidate.
    expect((await listRunArchives(target)).map((a) => a.kind)).toEqual(['post_migration', '']);
    expect(await runFleetCli(['prune-archives', join(tmp.path, 'runs')], io)).toBe(2);
  });
});
