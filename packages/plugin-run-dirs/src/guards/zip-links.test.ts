// Crafted archives that try to write outside the staging folder through links they extract themselves.
// Restore must refuse each with the run untouched, nothing written outside, and no journal left behind.
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardReasonOf } from './refusal.js';
import { applyModesAndTimes, RESTORE_JOURNAL, restoreRunArchive } from './zip-archive.js';
import { createTempFolder, type TempFolder } from '@tidemark/testing';
import { buildLegacyRun } from '../testing/legacy-run.js';
import { treeState } from './test/tree-state.js';

let tmp: TempFolder;
let run: string;
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-ziplinks-');
  run = await buildLegacyRun(tmp.path, { runId: 'rlew-ziplinks' });
});
afterEach(async () => tmp.remove());

type Item = { name: string; link?: string; data?: string };

async function craft(items: readonly Item[], name = 'crafted.zip'): Promise<string> {
  const zip = new yazl.ZipFile();
  const out = join(run, 'archives', name);
  const done = pipeline(zip.outputStream, createWriteStream(out));
  for (const it of items) {
    if (it.link !== undefined) zip.addBuffer(Buffer.from(it.link), it.name, { mode: 0o120777, compress: false });
    else zip.addBuffer(Buffer.from(it.data ?? 'x'), it.name, { mode: 0o100644 });
  }
  zip.end();
  await done;
  return `archives/${name}`;
}

/** Every entry below the temp root (the run's parent folders included), links not followed. */
const everything = () => treeState(tmp.path, () => false);

async function refused(ref: string): Promise<string> {
  const before = await everything();
  const error = await restoreRunArchive(run, ref).catch((e: unknown) => e);
  expect(guardReasonOf(error)?.reason).toBe('ZIP_SLIP');
  const after = await everything();
  // The run is as it was, nothing was written anywhere, no journal or staging folder remains to be "retried".
  expect(after).toEqual(before);
  expect((await readdir(join(run, 'archives'))).filter((n) => n.startsWith('.'))).toEqual([]);
  await expect(stat(join(run, RESTORE_JOURNAL))).rejects.toMatchObject({ code: 'ENOENT' });
  return String(error);
}

describe('restore never writes through links it extracted', () => {
  it("the chain d1/d2/a -> ../.., x -> d1/d2/a/../../.., x/PWNED.txt writes nothing into the run's parent", async () => {
    const ref = await craft([
      { name: 'ron.nodb', data: '{}' },
      { name: 'd1/d2/a', link: '../..' },
      { name: 'x', link: 'd1/d2/a/../../..' },
      { name: 'x/PWNED.txt', data: 'pwned' },
    ]);
    const message = await refused(ref);
    expect(message).toMatch(/x\/PWNED\.txt" lies below "x", a symlink/);
  });

  it('the same chain without an entry below it is refused once the whole tree is extracted', async () => {
    const message = await refused(
      await craft([
        { name: 'x', link: 'd1/d2/a/../../..' },
        { name: 'd1/d2/a', link: '../..' },
      ]),
    );
    expect(message).toMatch(/entry "x" is a symlink that lands outside the run/);
  });

  it('an absolute link to the run itself cannot carry entries into the live run during staging', async () => {
    const message = await refused(
      await craft([
        { name: 'self', link: run },
        { name: 'self/ron.nodb', data: 'PWNED' },
      ]),
    );
    expect(message).toMatch(/"self\/ron\.nodb" lies below "self"/);
  });

  it("a link to the run's parent, a file entry below a file entry and a link with an empty target are refused", async () => {
    await refused(await craft([{ name: 'up', link: '..' }], 'a.zip'));
    await refused(
      await craft(
        [
          { name: 'f', data: 'file' },
          { name: 'f/g', data: 'below a file' },
        ],
        'b.zip',
      ),
    );
    await refused(await craft([{ name: 'e', link: '' }], 'c.zip'));
  });

  it('links inside the run restore as links (absolute ones to the run included)', async () => {
    const ref = await craft([
      { name: 'dem/wbt/x.txt', data: 'x' },
      { name: 'to-wbt', link: 'dem/wbt' },
      { name: 'abs', link: join(run, 'dem') },
      { name: 'root', link: '.' },
    ]);
    await restoreRunArchive(run, ref);
    const state = await treeState(run);
    expect(state['to-wbt']).toBe('link dem/wbt');
    expect(state.abs).toBe(`link ${join(run, 'dem')}`);
    expect(state.root).toBe('link .');
  });
});

describe('applyModesAndTimes', () => {
  it('never changes a mode through a link standing where a file or folder was restored', async () => {
    const outside = join(tmp.path, 'outside.txt');
    await writeFile(outside, 'outside');
    await chmod(outside, 0o600);
    await symlink(outside, join(run, 'swapped'));
    const error = await applyModesAndTimes(run, [
      { rel: 'swapped', type: 'file', mode: 0o777, mtime: new Date(0) },
    ]).catch((e: unknown) => e);
    expect(String(error)).toMatch(/swapped is a symlink where a file was restored/);
    expect((await stat(outside)).mode & 0o777).toBe(0o600);
  });

  it("sets modes and times of files, read-only ones and folders (a folder after what it holds), and a link's own time", async () => {
    await mkdir(join(run, 'deep', 'er'), { recursive: true });
    await writeFile(join(run, 'deep', 'er', 'a.txt'), 'a');
    await symlink('er/a.txt', join(run, 'deep', 'link'));
    const when = new Date('2020-02-03T04:05:06Z');
    await applyModesAndTimes(run, [
      { rel: 'deep', type: 'dir', mode: 0o500, mtime: when },
      { rel: 'deep/er', type: 'dir', mode: 0o750, mtime: when.getTime() / 1000 },
      { rel: 'deep/er/a.txt', type: 'file', mode: 0o400, mtime: when },
      { rel: 'deep/link', type: 'symlink', mode: 0o777, mtime: when },
    ]);
    for (const rel of ['deep', 'deep/er', 'deep/er/a.txt'])
      expect((await stat(join(run, rel))).mtime.toISOString(), rel).toBe(when.toISOString());
    expect((await lstat(join(run, 'deep', 'link'))).mtime.toISOString()).toBe(when.toISOString());
    expect([
      (await stat(join(run, 'deep'))).mode & 0o777,
      (await stat(join(run, 'deep', 'er'))).mode & 0o777,
      (await stat(join(run, 'deep', 'er', 'a.txt'))).mode & 0o777,
    ]).toEqual([0o500, 0o750, 0o400]);
    await chmod(join(run, 'deep'), 0o700); // so the temp folder can be removed
  });

  it('refuses a FIFO standing where a file was restored, without hanging on it', async () => {
    execFileSync('mkfifo', [join(run, 'pipe')]);
    const error = await applyModesAndTimes(run, [{ rel: 'pipe', type: 'file', mode: 0o644, mtime: new Date(0) }]).catch(
      (e: unknown) => e,
    );
    expect(String(error)).toMatch(/pipe is a special file \(FIFO, socket or device\) where a file was restored/);
  });
});
