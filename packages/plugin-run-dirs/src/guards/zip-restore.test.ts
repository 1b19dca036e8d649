// Restoring a run from its archive as a whole: the recorded sha256 is enforced, the journal that lets a crash be
// finished is written and dropped, and an interrupted restore is finished from that journal alone.
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardReasonOf } from './refusal.js';
import { createRunArchive, finishInterruptedRestore, RESTORE_JOURNAL, restoreRunArchive } from './zip-archive.js';
import { createTempFolder, type TempFolder } from '@tidemark/testing';
import { buildLegacyRun } from '../testing/legacy-run.js';
import { treeState } from './test/tree-state.js';

let tmp: TempFolder;
let run: string;
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-ziprestore-');
  run = await buildLegacyRun(tmp.path, { runId: 'rlew-ziprestore' });
});
afterEach(async () => tmp.remove());

async function change(dir: string) {
  await writeFile(join(dir, 'ron.nodb'), '{"changed":true}');
  await rm(join(dir, 'ash'), { recursive: true });
  await mkdir(join(dir, 'new-folder'));
}

describe('restoreRunArchive with a recorded sha256', () => {
  it('restores when the zip is the one recorded, and leaves no journal or staging folder', async () => {
    const before = await treeState(run);
    const made = await createRunArchive(run, 'rlew');
    await change(run);
    const result = await restoreRunArchive(run, made.path, { sha256: made.sha256 });
    expect(result.ref).toBe(made.ref);
    expect(result.entries).toBe(made.entries);
    expect(result.skipped).toEqual([]);
    expect(await treeState(run)).toEqual(before);
    await expect(stat(join(run, RESTORE_JOURNAL))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(join(run, 'archives'))).filter((n) => n.startsWith('.restoring-'))).toEqual([]);
  });

  it('refuses a zip that was replaced since, naming both hashes in short; the run is not touched', async () => {
    const made = await createRunArchive(run, 'rlew');
    await writeFile(join(run, 'extra.txt'), 'makes the other zip differ');
    const other = await createRunArchive(run, 'other');
    await writeFile(made.path, await readFile(other.path));
    await change(run);
    const changed = await treeState(run);
    const error = await restoreRunArchive(run, made.ref, { sha256: made.sha256 }).catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('RESTORE_FAILED');
    expect((error as Error).message).toContain(
      `archive "${made.ref}" is not the archive that was recorded (sha256 ${other.sha256.slice(0, 12)}…, expected ${made.sha256.slice(0, 12)}…): it was replaced or changed; refusing to restore from it; the run was not touched`,
    );
    expect(await treeState(run)).toEqual(changed);
    await expect(stat(join(run, RESTORE_JOURNAL))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('preserved paths survive a restore untouched', async () => {
    const made = await createRunArchive(run, 'rlew');
    await mkdir(join(run, 'keep'));
    await writeFile(join(run, 'keep', 'notes.txt'), 'added after the archive');
    await change(run);
    await restoreRunArchive(run, made.ref, { preserve: ['keep'] });
    expect(await readFile(join(run, 'keep', 'notes.txt'), 'utf8')).toBe('added after the archive');
    expect(await readFile(join(run, 'ron.nodb'), 'utf8')).not.toContain('changed');
  });
});

describe('finishInterruptedRestore', () => {
  it('nothing to finish without a journal', async () => {
    expect(await finishInterruptedRestore(run)).toBeNull();
  });

  it('an unreadable journal is refused with what to do, not guessed at', async () => {
    await mkdir(join(run, RESTORE_JOURNAL, '..'), { recursive: true });
    await writeFile(join(run, RESTORE_JOURNAL), '{"ref": "archives/x.zip"');
    const error = await finishInterruptedRestore(run).catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('JOURNAL_UNVERIFIED');
    expect((error as Error).message).toMatch(
      /\.tidemark\/.*archive-restore\.json is unreadable \(.+\); an interrupted restore cannot be finished from it/,
    );
  });

  it("finishes a crash's restore from the journal: stale staging folders go, the run equals the archive, the journal is dropped", async () => {
    const before = await treeState(run);
    const made = await createRunArchive(run, 'rlew');
    await change(run);
    // What a crash after the journal and half way through clearing leaves behind.
    await mkdir(join(run, 'archives', '.restoring-dead0000', 'watershed'), { recursive: true });
    await writeFile(join(run, 'archives', '.restoring-dead0000', 'watershed', 'half.csv'), 'x');
    await mkdir(join(run, RESTORE_JOURNAL, '..'), { recursive: true });
    await writeFile(
      join(run, RESTORE_JOURNAL),
      JSON.stringify({
        ref: made.ref,
        staging: 'archives/.restoring-dead0000',
        sha256: made.sha256,
        at: '2025-01-01T00:00:00Z',
      }),
    );
    expect(await finishInterruptedRestore(run)).toBe(made.ref);
    expect(await treeState(run)).toEqual(before);
    expect((await readdir(join(run, 'archives'))).filter((n) => n.startsWith('.'))).toEqual([]);
    await expect(stat(join(run, RESTORE_JOURNAL))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a journal whose recorded sha256 no longer matches the zip is refused', async () => {
    const made = await createRunArchive(run, 'rlew');
    await mkdir(join(run, RESTORE_JOURNAL, '..'), { recursive: true });
    await writeFile(join(run, RESTORE_JOURNAL), JSON.stringify({ ref: made.ref, sha256: '0'.repeat(64) }));
    const error = await finishInterruptedRestore(run).catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('RESTORE_FAILED');
    expect((error as Error).message).toContain('is not the archive that was recorded');
  });

  it('a journal without a sha256 restores from the named zip, keeping the preserved paths asked for', async () => {
    const made = await createRunArchive(run, 'rlew');
    await change(run);
    await mkdir(join(run, 'keep'));
    await writeFile(join(run, 'keep', 'k.txt'), 'k');
    await mkdir(join(run, RESTORE_JOURNAL, '..'), { recursive: true });
    await writeFile(join(run, RESTORE_JOURNAL), JSON.stringify({ ref: made.ref }));
    expect(await finishInterruptedRestore(run, { preserve: ['keep'] })).toBe(made.ref);
    expect(await readFile(join(run, 'keep', 'k.txt'), 'utf8')).toBe('k');
    expect(await readFile(join(run, 'ron.nodb'), 'utf8')).not.toContain('changed');
  });
});

describe('restoreRunArchive never deletes a preserved path', () => {
  it.each([
    ['a file', { data: 'x' }],
    ['a symlink', { link: 'ron.nodb' }],
  ])(
    'an archive holding %s where a preserved path has its folder (.tidemark) is refused; the snapshots stay',
    async (_, item) => {
      const snapshots = join(run, '.tidemark', 'snapshots');
      await mkdir(join(snapshots, 's1'), { recursive: true });
      await writeFile(join(snapshots, 's1', 'kept.txt'), 'a snapshot');
      const zip = new yazl.ZipFile();
      const done = pipeline(zip.outputStream, createWriteStream(join(run, 'archives', 'crafted.zip')));
      zip.addBuffer(Buffer.from('{}'), 'ron.nodb', { mode: 0o100644 });
      if ('link' in item) zip.addBuffer(Buffer.from(item.link), '.tidemark', { mode: 0o120777, compress: false });
      else zip.addBuffer(Buffer.from(item.data), '.tidemark', { mode: 0o100644 });
      zip.end();
      await done;
      const before = await treeState(run);
      const error = await restoreRunArchive(run, 'archives/crafted.zip').catch((e: unknown) => e);
      expect(guardReasonOf(error)?.reason).toBe('ZIP_SLIP');
      expect((error as Error).message).toContain(
        'archive entry ".tidemark" is not a folder, but preserved paths lie below it (.tidemark/snapshots, .tidemark/lock.json); restoring it would delete them; the run was not touched',
      );
      expect(await readFile(join(snapshots, 's1', 'kept.txt'), 'utf8')).toBe('a snapshot');
      expect(await treeState(run)).toEqual(before);
    },
  );
});
