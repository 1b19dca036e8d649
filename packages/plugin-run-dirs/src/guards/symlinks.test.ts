// The symlink policy (README, "Symlinks"): links inside a run are data, never followed; a link landing
// outside the run is refused before the lease and any write, with an error naming the link.
import { mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRunner } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeFile, writeFileAtomic } from '../file-ops.js';
import { runDirsPlugin } from '../plugin.js';
import type { RunDirTarget } from '../target.js';
import { guardReasonOf } from './refusal.js';
import { landingOf, rootNames } from './symlinks.js';
import { createRunArchive, restoreRunArchive } from './zip-archive.js';
import { takeHardlinkSnapshot } from './hardlink-snapshot.js';
import { createTempFolder, type TempFolder } from '@tidemark/testing';
import { buildLegacyRun } from '../testing/legacy-run.js';
import { treeState } from './test/tree-state.js';

let tmp: TempFolder;
let target: RunDirTarget;
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-links-');
  target = { dir: await buildLegacyRun(tmp.path, { runId: 'rlew-links' }) };
});
afterEach(async () => tmp.remove());

const everything = () => treeState(tmp.path, () => false);
const up = (snapshot: 'zip' | 'hardlink' = 'zip') =>
  createRunner({ plugin: runDirsPlugin({ snapshot }), target, lock: { waitMs: 2000 } }).up();

describe.each(['zip', 'hardlink'] as const)('outside links are refused before any write (%s)', (snapshot) => {
  it('watershed/ a symlink to a folder outside the run: refused naming the link; nothing inside or outside changes', async () => {
    const outside = join(tmp.path, 'elsewhere');
    await rename(join(target.dir, 'watershed'), outside);
    await symlink(outside, join(target.dir, 'watershed'));
    const before = await everything();
    const error = await up(snapshot).catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('SYMLINK_OUTSIDE');
    expect(String(error)).toContain(`watershed -> ${outside}`);
    expect(String(error)).toMatch(/refused before any write/);
    // No lock file, no archive, no ledger: byte for byte the same, the folder outside included.
    expect(await everything()).toEqual(before);
    expect(await readFile(join(outside, 'hillslopes.csv'), 'utf8')).toMatch(/^TopazID,WeppID/);
  });

  it('a relative link climbing out, and a dangling one pointing outside, are refused too', async () => {
    await symlink('../../../etc', join(target.dir, 'dem', 'up'));
    await symlink('../../nowhere/new-file', join(target.dir, 'dangling'));
    const before = await everything();
    const error = await up(snapshot).catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('SYMLINK_OUTSIDE');
    expect(String(error)).toContain('dem/up -> ../../../etc');
    expect(String(error)).toContain('dangling -> ../../nowhere/new-file');
    expect(await everything()).toEqual(before);
  });

  it('a chain of links is resolved as the kernel does: x -> d1/d2/a/../../.. with d1/d2/a -> ../.. is outside', async () => {
    await mkdir(join(target.dir, 'd1', 'd2'), { recursive: true });
    await symlink('../..', join(target.dir, 'd1', 'd2', 'a'));
    await symlink('d1/d2/a/../../..', join(target.dir, 'x'));
    const error = await up(snapshot).catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('SYMLINK_OUTSIDE');
    expect(String(error)).toContain('x -> d1/d2/a/../../..');
    expect(String(error)).not.toContain('d1/d2/a -> ../..');
  });
});

describe('links inside the run are data', () => {
  it('a watershed/ link to a folder inside the run is not followed: its CSV is neither read nor rewritten, the link stays', async () => {
    await rename(join(target.dir, 'watershed'), join(target.dir, 'ws-real'));
    await symlink('ws-real', join(target.dir, 'watershed'));
    const csv = await readFile(join(target.dir, 'ws-real', 'hillslopes.csv'));
    const result = await up();
    expect(result.outcome).toBe('ok');
    expect(result.applied).not.toContain('004_watershed_tables');
    expect(await readFile(join(target.dir, 'ws-real', 'hillslopes.csv'))).toEqual(csv);
    expect((await readdir(join(target.dir, 'ws-real'))).sort()).toEqual(['channels.csv', 'hillslopes.csv']);
    expect((await treeState(target.dir)).watershed).toBe('link ws-real');
  });

  it('archives, snapshots and restores keep a link inside the run as a link (the same set both ways)', async () => {
    await symlink(join(target.dir, 'climate'), join(target.dir, 'abs-climate'));
    await symlink('../dem/wbt', join(target.dir, 'watershed', 'wbt'));
    const before = await treeState(target.dir);
    const zip = await createRunArchive(target.dir, 'rlew-links');
    await writeFile(join(target.dir, 'climate', 'observed.cli'), 'changed');
    await restoreRunArchive(target.dir, zip.ref);
    expect(await treeState(target.dir)).toEqual(before);
    await expect(takeHardlinkSnapshot(target.dir)).resolves.toMatchObject({ entries: expect.any(Number) });
  });

  it('file-ops never write or remove through a linked folder', async () => {
    const outside = join(tmp.path, 'elsewhere');
    await mkdir(outside);
    await writeFile(join(outside, 'keep.txt'), 'keep');
    await symlink(outside, join(target.dir, 'out'));
    await expect(writeFileAtomic(join(target.dir, 'out', 'new.txt'), 'x')).rejects.toThrow(
      /refusing to write through the symlink .*out/,
    );
    await expect(removeFile(join(target.dir, 'out', 'keep.txt'))).rejects.toThrow(/through the symlink .*out/);
    expect(await readdir(outside)).toEqual(['keep.txt']);
  });

  it('an archive or snapshot of a run with an outside link is refused (restore would refuse it)', async () => {
    await symlink('/etc', join(target.dir, 'etc-link'));
    await expect(createRunArchive(target.dir, 'rlew-links')).rejects.toMatchObject({ reason: 'SYMLINK_OUTSIDE' });
    await expect(takeHardlinkSnapshot(target.dir)).rejects.toMatchObject({ reason: 'SYMLINK_OUTSIDE' });
  });
});

describe('landingOf', () => {
  it('resolves through links, absolute ones by the root names, and stops loops', async () => {
    const roots = await rootNames(target.dir);
    await symlink('loop-b', join(target.dir, 'loop-a'));
    await symlink('loop-a', join(target.dir, 'loop-b'));
    await symlink(join(target.dir, 'dem'), join(target.dir, 'abs-dem'));
    await symlink(target.dir, join(target.dir, 'self'));
    expect(await landingOf(roots, 'abs-dem/wbt')).toEqual({ inside: true, rel: 'dem/wbt' });
    expect(await landingOf(roots, 'self')).toEqual({ inside: true, rel: '' });
    expect(await landingOf(roots, 'self/..')).toMatchObject({ inside: false });
    expect(await landingOf(roots, 'loop-a')).toMatchObject({ inside: false, why: expect.stringMatching(/loop/) });
    expect(await landingOf(roots, 'hillslopes-link.csv')).toEqual({ inside: true, rel: 'watershed/hillslopes.csv' });
  });
});
