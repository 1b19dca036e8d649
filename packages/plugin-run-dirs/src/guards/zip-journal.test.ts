// A restore interrupted after it started changing the run (here: the move of the staged tree fails once)
// leaves a journal naming the zip, its sha256 and the staging folder; the next attempt finishes from it.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as FsAtomic from './fs-atomic.js';
import { guardReasonOf } from './refusal.js';
import { createRunArchive, finishInterruptedRestore, RESTORE_JOURNAL, restoreRunArchive } from './zip-archive.js';
import { createTempFolder, type TempFolder } from '@tidemark/testing';
import { buildLegacyRun } from '../testing/legacy-run.js';
import { treeState } from './test/tree-state.js';

const failMove = vi.hoisted(() => ({ once: false }));
vi.mock('./fs-atomic.js', async (importOriginal) => {
  const real = await importOriginal<typeof FsAtomic>();
  return {
    ...real,
    moveInto: async (from: string, to: string) => {
      if (failMove.once) {
        failMove.once = false;
        throw new Error('I/O error while moving');
      }
      return real.moveInto(from, to);
    },
  };
});

let tmp: TempFolder;
let run: string;
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-zipjournal-');
  run = await buildLegacyRun(tmp.path, { runId: 'rlew-zipjournal' });
});
afterEach(async () => tmp.remove());

describe('an interrupted restore', () => {
  it.each([
    ['with', true],
    ['without', false],
  ])(
    '%s a recorded sha256: the journal names the zip (and hash); finishing it gives the archived run',
    async (_, withSha) => {
      const before = await treeState(run);
      const made = await createRunArchive(run, 'rlew');
      await writeFile(join(run, 'ron.nodb'), '{"changed":true}');
      failMove.once = true;
      const error = await restoreRunArchive(run, made.path, withSha ? { sha256: made.sha256 } : {}).catch(
        (e: unknown) => e,
      );
      expect(guardReasonOf(error)?.reason).toBe('RESTORE_FAILED');
      expect((error as Error).message).toContain(
        `restore from "${made.path}" was interrupted: I/O error while moving; rerun the restore (it starts over from the archive)`,
      );

      const journal = JSON.parse(await readFile(join(run, RESTORE_JOURNAL), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(journal).sort()).toEqual(
        withSha ? ['at', 'ref', 'sha256', 'staging'] : ['at', 'ref', 'staging'],
      );
      expect(journal.ref).toBe(made.ref);
      if (withSha) expect(journal.sha256).toBe(made.sha256);
      expect(journal.staging).toMatch(/^archives\/\.restoring-[0-9a-f]{8}$/);
      expect(Date.now() - Date.parse(journal.at as string)).toBeGreaterThanOrEqual(0);
      expect((await readdir(join(run, 'archives'))).filter((n) => n.startsWith('.restoring-'))).toEqual([
        (journal.staging as string).slice('archives/'.length),
      ]);

      expect(await finishInterruptedRestore(run)).toBe(made.ref);
      expect(await treeState(run)).toEqual(before);
      expect((await readdir(join(run, 'archives'))).filter((n) => n.startsWith('.restoring-'))).toEqual([]);
      await expect(stat(join(run, RESTORE_JOURNAL))).rejects.toMatchObject({ code: 'ENOENT' });
    },
  );
});
