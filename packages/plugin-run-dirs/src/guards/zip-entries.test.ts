// What an archive holds and how each entry is judged on the way back: names, kinds, modes, CRCs, the archive
// path itself. A crafted or foreign zip must either restore exactly what it says or be refused untouched.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { zipSync } from 'fflate';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { guardReasonOf } from './refusal.js';
import {
  createRunArchive,
  entryNameProblem,
  removeStaleArchiveTemps,
  resolveArchiveRef,
  restoreRunArchive,
  sha256OfFile,
} from './zip-archive.js';
import { createTempFolder, type TempFolder } from '@tidemark/testing';
import { buildLegacyRun } from '../testing/legacy-run.js';
import { treeState } from './test/tree-state.js';

let tmp: TempFolder;
let run: string;
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-zipentries-');
  run = await buildLegacyRun(tmp.path, { runId: 'rlew-zipentries' });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await tmp.remove();
});

interface ZipEntryInfo {
  name: string;
  mode: number;
  method: number;
  madeBy: number;
}
async function entriesOf(path: string): Promise<ZipEntryInfo[]> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true });
  const out: ZipEntryInfo[] = [];
  try {
    for await (const e of zip.eachEntry())
      out.push({
        name: e.fileName,
        mode: e.externalFileAttributes >>> 16,
        method: e.compressionMethod,
        madeBy: e.versionMadeBy >> 8,
      });
  } finally {
    zip.close();
  }
  return out;
}

type Item = { name: string; link?: string; data?: string; dir?: true; mode?: number; compress?: boolean };
async function craft(items: readonly Item[], name = 'crafted.zip'): Promise<{ ref: string; path: string }> {
  const zip = new yazl.ZipFile();
  const path = join(run, 'archives', name);
  const done = pipeline(zip.outputStream, createWriteStream(path));
  for (const it of items) {
    if (it.dir) zip.addEmptyDirectory(it.name, { mode: it.mode ?? 0o040755 });
    else if (it.link !== undefined) zip.addBuffer(Buffer.from(it.link), it.name, { mode: 0o120777, compress: false });
    else
      zip.addBuffer(Buffer.from(it.data ?? 'x'), it.name, { mode: it.mode ?? 0o100644, compress: it.compress ?? true });
  }
  zip.end();
  await done;
  return { ref: `archives/${name}`, path };
}

async function restoreError(ref: string): Promise<{ reason: string | undefined; message: string }> {
  const error = await restoreRunArchive(run, ref).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return {
    reason: guardReasonOf(error)?.reason,
    message: (error as Error).message.replace(/^\[tidemark\] \[plugin-run-dirs\] /, ''),
  };
}

describe('createRunArchive writes each kind of entry in the real format', () => {
  it('folders end in "/", links are stored (not deflated) with their target, files are deflated; unix modes kept', async () => {
    const { path, entries } = await createRunArchive(run, 'rlew');
    const got = await entriesOf(path);
    expect(got.length).toBe(entries);
    expect(got.every((e) => e.madeBy === 3)).toBe(true);
    const by = new Map(got.map((e) => [e.name, e]));
    expect(by.get('ash/')?.mode).toBe(0o040000 | ((await stat(join(run, 'ash'))).mode & 0o7777));
    expect(by.get('hillslopes-link.csv')).toMatchObject({
      mode: 0o120000 | ((await lstat(join(run, 'hillslopes-link.csv'))).mode & 0o7777),
      method: 0,
    });
    expect(by.get('export/run.sh')).toMatchObject({ mode: 0o100755, method: 8 });
    expect(by.get('exceptions.log')?.mode).toBe(0o100444);
    expect([...by.keys()].some((n) => n.startsWith('archives'))).toBe(false);
  });

  it('level 0 stores files; the result names the zip, its entries, sizes and the sha256 of what was written', async () => {
    const result = await createRunArchive(run, 'r0', {
      level: 0,
      kind: 'post_migration',
      now: () => new Date('2025-01-02T03:04:05.678Z'),
    });
    expect(result.ref).toBe('archives/r0.post_migration.20250102T030405Z.zip');
    expect(result.path).toBe(join(run, 'archives', 'r0.post_migration.20250102T030405Z.zip'));
    const got = await entriesOf(result.path);
    expect(got.filter((e) => e.name === 'climate/observed.cli' || e.name === 'ron.nodb').map((e) => e.method)).toEqual([
      0, 0,
    ]);
    expect(result.zipBytes).toBe((await stat(result.path)).size);
    expect(result.sha256).toBe(
      createHash('sha256')
        .update(await readFile(result.path))
        .digest('hex'),
    );
    expect(result.sha256).toBe(await sha256OfFile(result.path));
    const files = [
      'ron.nodb',
      'watershed.nodb',
      'watershed/hillslopes.csv',
      'watershed/channels.csv',
      'dem/wbt/channels.geojson',
      'wepp/output/interchange/interchange_version.json',
      'export/run.sh',
      'climate/observed.cli',
      'exceptions.log',
    ];
    let bytes = 0;
    for (const f of files) bytes += (await stat(join(run, f))).size;
    expect(result.sourceBytes).toBe(bytes);
    expect(result.ms).toBeGreaterThanOrEqual(0);
  });

  it('an empty kind leaves the kind out of the name; preserved paths are left out of the archive', async () => {
    const result = await createRunArchive(run, 'r1', {
      kind: '',
      preserve: ['climate', 'export/run.sh'],
      now: () => new Date('2025-01-02T03:04:05Z'),
    });
    expect(result.ref).toBe('archives/r1.20250102T030405Z.zip');
    const names = (await entriesOf(result.path)).map((e) => e.name);
    expect(names).toContain('export/');
    expect(names.filter((n) => n.startsWith('climate') || n === 'export/run.sh')).toEqual([]);
  });

  it('a name already taken, or being written (.tmp), moves the archive to the next second', async () => {
    const t = Date.parse('2025-01-02T03:04:05Z');
    let calls = 0;
    await writeFile(join(run, 'archives', 'r2.pre_migration.20250102T030405Z.zip.tmp'), 'being written');
    const next = createRunArchive(run, 'r2', { now: () => new Date(calls++ === 0 ? t : t + 1000) });
    expect((await next).ref).toBe('archives/r2.pre_migration.20250102T030406Z.zip');
    expect(await readFile(join(run, 'archives', 'r2.pre_migration.20250102T030405Z.zip.tmp'), 'utf8')).toBe(
      'being written',
    );
  });

  it('a write that fails leaves no .tmp behind and says which archive could not be written', async () => {
    // A file that vanished between the listing and its turn in the zip: the read fails mid-write.
    const addFile = yazl.ZipFile.prototype.addFile;
    vi.spyOn(yazl.ZipFile.prototype, 'addFile').mockImplementation(function (this: yazl.ZipFile, path, name, options) {
      addFile.call(this, name === 'climate/observed.cli' ? `${path}.vanished` : path, name, options);
    });
    const before = await readdir(join(run, 'archives'));
    const error = await createRunArchive(run, 'r4', { now: () => new Date('2025-01-02T03:04:05Z') }).catch(
      (e: unknown) => e,
    );
    expect(guardReasonOf(error)?.reason).toBe('ARCHIVE_FAILED');
    expect((error as Error).message).toMatch(
      /could not write archive archives\/r4\.pre_migration\.20250102T030405Z\.zip: ENOENT/,
    );
    expect(await readdir(join(run, 'archives'))).toEqual(before);
  });

  it('an archive that does not hold every entry of the run is not kept', async () => {
    vi.spyOn(yazl.ZipFile.prototype, 'addEmptyDirectory').mockImplementation(() => undefined);
    const before = await readdir(join(run, 'archives'));
    const error = await createRunArchive(run, 'r5').catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('ARCHIVE_FAILED');
    expect((error as Error).message).toMatch(/: archive holds \d+ entries, expected \d+$/);
    expect(await readdir(join(run, 'archives'))).toEqual(before);
  });

  it('reports how long it took, measured from its own start', async () => {
    const t0 = performance.now();
    const result = await createRunArchive(run, 'r6');
    expect(result.ms).toBeLessThanOrEqual(Math.ceil(performance.now() - t0));
    expect(result.ms).toBeGreaterThanOrEqual(0);
  });

  it('refuses to archive a run whose link leads outside it, and writes nothing', async () => {
    await symlink('/etc/hostname', join(run, 'outside-link'));
    const before = await readdir(join(run, 'archives'));
    await expect(createRunArchive(run, 'r3')).rejects.toThrow(/No archive was written/);
    expect(await readdir(join(run, 'archives'))).toEqual(before);
  });
});

describe('resolveArchiveRef', () => {
  it('a bare name is looked up in archives/; a path or absolute path must lie inside archives/', async () => {
    await writeFile(join(run, 'archives', 'a.zip'), 'z');
    await mkdir(join(run, 'archives', 'sub'));
    await writeFile(join(run, 'archives', 'sub', 'b.zip'), 'z');
    expect(await resolveArchiveRef(run, 'a.zip')).toBe(join(run, 'archives', 'a.zip'));
    expect(await resolveArchiveRef(run, 'archives/sub/b.zip')).toBe(join(run, 'archives', 'sub', 'b.zip'));
    expect(await resolveArchiveRef(`${run}/`, join(run, 'archives', 'a.zip'))).toBe(join(run, 'archives', 'a.zip'));
  });

  it('refuses archives/ itself, a sibling folder sharing its prefix, and anything outside', async () => {
    await mkdir(join(run, 'archives-evil'));
    await writeFile(join(run, 'archives-evil', 'x.zip'), 'z');
    await writeFile(join(run, 'x.zip'), 'z');
    for (const ref of [
      'archives/',
      'archives-evil/x.zip',
      join(run, 'archives-evil', 'x.zip'),
      'x.zip/../../x.zip',
      'archives/../x.zip',
    ]) {
      await expect(resolveArchiveRef(run, ref), ref).rejects.toThrow(/is not inside the run's archives\/ folder/);
    }
  });

  it('a missing archive is named as missing; a link out of archives/ is refused', async () => {
    await expect(resolveArchiveRef(run, 'none.zip')).rejects.toThrow('archive "none.zip" does not exist');
    await writeFile(join(run, 'x.zip'), 'z');
    await symlink('../x.zip', join(run, 'archives', 'link.zip'));
    const error = await resolveArchiveRef(run, 'link.zip').catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('RESTORE_FAILED');
    expect(String(error)).toMatch(/resolves outside the run's archives\/ folder/);
  });

  it('archives/ itself may be a link (a run whose archives live on another disk)', async () => {
    const elsewhere = join(tmp.path, 'disk2');
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, 'c.zip'), 'z');
    await rm(join(run, 'archives'), { recursive: true });
    await symlink(elsewhere, join(run, 'archives'));
    expect(await resolveArchiveRef(run, 'c.zip')).toBe(join(elsewhere, 'c.zip'));
  });
});

describe('entryNameProblem', () => {
  it.each([
    ['', 'empty name'],
    ['a\0b', 'NUL in name'],
    ['a\\b', 'backslash in name'],
    ['/x', 'absolute path'],
    ['c:x', 'absolute path'],
    ['Z:/x', 'absolute path'],
    ['..', 'escapes the run folder (..)'],
    ['../', 'escapes the run folder (..)'],
    ['a/../..', 'escapes the run folder (..)'],
    ['a/..', 'escapes the run folder (..)'],
    ['a/../b', 'escapes the run folder (..)'],
  ])('%j: %s', (name, problem) => {
    expect(entryNameProblem(name)).toBe(problem);
  });

  it.each(['a', 'a/b/', 'ab:c', '1:x', 'a..b', '..a/b', 'a/b..', './a'])('%j passes', (name) => {
    expect(entryNameProblem(name)).toBeNull();
  });
});

describe('restoreRunArchive: entries of foreign and crafted archives', () => {
  it('entries without unix modes get 0644 files and 0755 folders; a folder may be named by its mode alone', async () => {
    const bytes = zipSync({
      'plain.txt': new Uint8Array([1, 2]),
      'dos.txt': [new Uint8Array([3]), { os: 0, attrs: (0o100600 << 16) >>> 0 }],
      'made/': new Uint8Array(0),
      modedir: [new Uint8Array(0), { os: 3, attrs: (0o040711 << 16) >>> 0 }],
      'exec.sh': [new Uint8Array([4]), { os: 3, attrs: (0o100750 << 16) >>> 0 }],
    } as never);
    await writeFile(join(run, 'archives', 'foreign.zip'), bytes);
    const result = await restoreRunArchive(run, 'archives/foreign.zip');
    expect(result).toMatchObject({ ref: 'archives/foreign.zip', entries: 5, skipped: [] });
    const mode = async (p: string) => (await stat(join(run, p))).mode & 0o7777;
    expect(await mode('plain.txt')).toBe(0o644);
    expect(await mode('dos.txt')).toBe(0o644);
    expect(await mode('made')).toBe(0o755);
    expect((await stat(join(run, 'modedir'))).isDirectory()).toBe(true);
    expect(await mode('modedir')).toBe(0o711);
    expect(await mode('exec.sh')).toBe(0o750);
    expect((await readdir(run)).filter((n) => n !== '.tidemark').sort()).toEqual([
      'archives',
      'dos.txt',
      'exec.sh',
      'made',
      'modedir',
      'plain.txt',
    ]);
  });

  it('entries under preserved paths and "./" are skipped; the rest restores below its folders', async () => {
    const { ref } = await craft([
      { name: './', dir: true },
      { name: 'archives/old.zip', data: 'foreign copy of archives/' },
      { name: 'keep/me.txt', data: 'kept' },
      { name: 'deep/er/file.txt', data: 'deep' },
    ]);
    await mkdir(join(run, 'keep'));
    await writeFile(join(run, 'keep', 'me.txt'), 'mine');
    const result = await restoreRunArchive(run, ref, { preserve: ['keep'] });
    expect(result.skipped).toEqual(['archives/old.zip', 'keep/me.txt']);
    expect(result.entries).toBe(1);
    expect(await readFile(join(run, 'keep', 'me.txt'), 'utf8')).toBe('mine');
    expect(await readFile(join(run, 'deep', 'er', 'file.txt'), 'utf8')).toBe('deep');
    await expect(stat(join(run, 'archives', 'old.zip'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(run)).filter((n) => n !== '.tidemark').sort()).toEqual(['archives', 'deep', 'keep']);
  });

  it('an entry below a name the archive holds as a file is refused (ZIP_SLIP)', async () => {
    const { ref } = await craft([
      { name: 'a', data: 'file' },
      { name: 'a/b.txt', data: 'below a file' },
    ]);
    const before = await treeState(run);
    const { reason, message } = await restoreError(ref);
    expect(reason).toBe('ZIP_SLIP');
    expect(message).toBe(
      'archive entry "a/b.txt" lies below "a", which the archive holds as a file; the run was not touched',
    );
    expect(await treeState(run)).toEqual(before);
  });

  it('an archive naming one file twice fails the test (no entry silently replaces another)', async () => {
    const { ref } = await craft([
      { name: 'twice.txt', data: 'first' },
      { name: 'twice.txt', data: 'second' },
    ]);
    const before = await treeState(run);
    const { reason, message } = await restoreError(ref);
    expect(reason).toBe('RESTORE_FAILED');
    expect(message).toMatch(/EEXIST/);
    expect(await treeState(run)).toEqual(before);
  });

  it('a later entry under an already made folder restores into it', async () => {
    const { ref } = await craft([
      { name: 'd/', dir: true, mode: 0o040750 },
      { name: 'd/one.txt', data: '1' },
      { name: 'd/sub/two.txt', data: '2' },
      { name: 'd/three.txt', data: '3' },
    ]);
    const result = await restoreRunArchive(run, ref);
    expect(result.entries).toBe(4);
    expect((await stat(join(run, 'd'))).mode & 0o7777).toBe(0o750);
    expect(await readFile(join(run, 'd', 'sub', 'two.txt'), 'utf8')).toBe('2');
    expect(await readFile(join(run, 'd', 'three.txt'), 'utf8')).toBe('3');
  });

  it.each([
    ['an empty', ''],
    ['a NUL', 'a\0b'],
  ])('a symlink with %s target is refused (ZIP_SLIP)', async (_, link) => {
    const { ref } = await craft([{ name: 'l', link }]);
    const { reason, message } = await restoreError(ref);
    expect(reason).toBe('ZIP_SLIP');
    expect(message).toBe('archive entry "l" is a symlink with an empty or NUL target; the run was not touched');
  });

  it('a symlink inside the run restores as a link', async () => {
    const { ref } = await craft([
      { name: 'target.txt', data: 't' },
      { name: 'l', link: 'target.txt' },
    ]);
    await restoreRunArchive(run, ref);
    expect(await readlink(join(run, 'l'))).toBe('target.txt');
  });

  it.each([
    [
      'a stored file',
      { name: 'f.txt', data: 'uniq-file-payload-xyz', compress: false } as Item,
      'uniq-file-payload-xyz',
      /archive entry "f\.txt": CRC mismatch \(archive corrupt\)/,
    ],
    [
      'a link',
      { name: 'l', link: 'uniq-link-target-xyz' } as Item,
      'uniq-link-target-xyz',
      /archive entry "l": CRC mismatch/,
    ],
  ])('%s whose bytes do not match its CRC fails the test; the run is not touched', async (_, item, payload, why) => {
    const { ref, path } = await craft([item]);
    const bytes = await readFile(path);
    const at = bytes.indexOf(Buffer.from(payload));
    bytes[at + payload.length - 1] = bytes[at + payload.length - 1]! ^ 0x01;
    await writeFile(path, bytes);
    const before = await treeState(run);
    const { reason, message } = await restoreError(ref);
    expect(reason).toBe('RESTORE_FAILED');
    expect(message).toMatch(why);
    expect(message).toMatch(/^archive "archives\/crafted\.zip" failed its test: .*; the run was not touched$/);
    expect(await treeState(run)).toEqual(before);
  });

  it('an encrypted entry fails the test (it cannot be verified)', async () => {
    const { ref, path } = await craft([{ name: 'secret.txt', data: 'plain' }]);
    const bytes = await readFile(path);
    // Set bit 0 (encrypted) of the general purpose flags in the local and the central header.
    for (const [sig, at] of [
      [0x04034b50, 6],
      [0x02014b50, 8],
    ] as const) {
      const le = Buffer.alloc(4);
      le.writeUInt32LE(sig);
      const h = bytes.indexOf(le);
      bytes[h + at] = bytes[h + at]! | 1;
    }
    await writeFile(path, bytes);
    const { reason, message } = await restoreError(ref);
    expect(reason).toBe('RESTORE_FAILED');
    expect(message).toContain('archive entry "secret.txt" is encrypted');
  });
});

describe('removeStaleArchiveTemps', () => {
  it('removes only *.zip.tmp leftovers and names them; a run without archives/ has none', async () => {
    await writeFile(join(run, 'archives', 'a.zip.tmp'), '');
    await writeFile(join(run, 'archives', 'b.zip'), '');
    await writeFile(join(run, 'archives', 'c.tmp'), '');
    await writeFile(join(run, 'archives', 'd.zip.tmp.keep'), '');
    expect(await removeStaleArchiveTemps(run)).toEqual(['a.zip.tmp']);
    const left = await readdir(join(run, 'archives'));
    expect(left).not.toContain('a.zip.tmp');
    expect(left).toEqual(expect.arrayContaining(['b.zip', 'c.tmp', 'd.zip.tmp.keep']));
    expect(await removeStaleArchiveTemps(join(tmp.path, 'no-such-run'))).toEqual([]);
  });
});
