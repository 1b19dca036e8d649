import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardReasonOf } from './refusal.js';
import { createRunArchive, entryNameProblem, restoreRunArchive } from './zip-archive.js';
import { createTempFolder, type TempFolder } from '@tidemark/testing';
import { buildLegacyRun } from '../testing/legacy-run.js';
import { treeState } from './test/tree-state.js';

const hasInfoZip = (() => {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let tmp: TempFolder;
let run: string;
beforeEach(async () => {
  tmp = await createTempFolder('tidemark-guards-');
  run = await buildLegacyRun(tmp.path);
});
afterEach(async () => tmp.remove());

async function mutate(dir: string) {
  await writeFile(join(dir, 'ron.nodb'), '{"changed":true}');
  await rm(join(dir, 'watershed', 'hillslopes.csv'));
  await writeFile(join(dir, 'watershed', 'hillslopes.parquet'), 'PAR1...');
  await chmod(join(dir, 'export', 'run.sh'), 0o600);
  await rm(join(dir, 'ash'), { recursive: true });
  await mkdir(join(dir, 'new-folder'));
}

describe('createRunArchive', () => {
  it('writes archives/<runid>.pre_migration.<YYYYmmddTHHMMSSZ>.zip, leaves no .tmp, excludes archives/', async () => {
    const runId = run.split('/').pop()!;
    const result = await createRunArchive(run, runId);
    expect(result.ref).toMatch(new RegExp(`^archives/${runId}\\.pre_migration\\.\\d{8}T\\d{6}Z\\.zip$`));
    const names = await readdir(join(run, 'archives'));
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(names).toContain(result.ref.slice('archives/'.length));
    expect(result.entries).toBeGreaterThan(10);
  });

  it('two archives in the same second get distinct names in the real format', async () => {
    const a = await createRunArchive(run, 'r1');
    const b = await createRunArchive(run, 'r1');
    expect(a.ref).not.toBe(b.ref);
    expect(b.ref).toMatch(/^archives\/r1\.pre_migration\.\d{8}T\d{6}Z\.zip$/);
  });

  it.skipIf(!hasInfoZip)(
    'is read by Info-ZIP: zipinfo shows relative names, deflate, unix modes; unzip -t passes and extracts the same tree',
    async () => {
      const { path } = await createRunArchive(run, 'rlew');
      const info = execFileSync('zipinfo', ['-l', path], { encoding: 'utf8' });
      expect(info).toMatch(/-rwxr-xr-x\s+\d\.\d unx\s+\d+ b[xX]\s+\d+ defN .* export\/run\.sh/);
      expect(info).toMatch(/-r--r--r--.* exceptions\.log/);
      expect(info).toMatch(/lrwxrwxrwx.* hillslopes-link\.csv/);
      const names = info
        .split('\n')
        .filter((l) => /^[-dl][rwx-]{9}/.test(l))
        .map((l) => l.split(/\s+/).slice(9).join(' '));
      expect(names.length).toBeGreaterThan(10);
      for (const name of names) expect(name).toMatch(/^(?!\/|archives\/|\.\.)/);
      execFileSync('unzip', ['-tq', path]);
      const out = join(tmp.path, 'unzipped');
      execFileSync('unzip', ['-q', path, '-d', out]);
      expect(await treeState(out)).toEqual(await treeState(run));
    },
  );
});

describe('restoreRunArchive', () => {
  it('restores content, permissions, symlinks and empty folders byte for byte; archives/ is untouched', async () => {
    const before = await treeState(run);
    const oldArchives = await readdir(join(run, 'archives'));
    const { ref } = await createRunArchive(run, 'rlew');
    await mutate(run);
    expect(await treeState(run)).not.toEqual(before);
    const result = await restoreRunArchive(run, ref);
    expect(await treeState(run)).toEqual(before);
    expect(result.entries).toBeGreaterThan(10);
    expect((await readdir(join(run, 'archives'))).sort()).toEqual(
      [...oldArchives, ref.slice('archives/'.length)].sort(),
    );
    expect((await stat(join(run, 'ron.nodb'))).mtime.toISOString()).toBe('2021-03-04T05:06:08.000Z');
  });

  it.skipIf(!hasInfoZip)(
    'restores an archive made by Info-ZIP `zip -6 -r -y` (including one that holds archives/)',
    async () => {
      const before = await treeState(run);
      const made = join(tmp.path, 'made-by-zip.zip');
      execFileSync('zip', ['-6', '-r', '-y', '-q', made, '.'], { cwd: run });
      await copyFile(made, join(run, 'archives', 'rlew.pre_migration.20240101T000000Z.zip'));
      await mutate(run);
      const result = await restoreRunArchive(run, 'archives/rlew.pre_migration.20240101T000000Z.zip');
      expect(await treeState(run)).toEqual(before);
      expect(result.skipped.some((s) => s.startsWith('archives'))).toBe(true);
    },
  );

  it('refuses an archive path outside archives/', async () => {
    await writeFile(join(run, 'elsewhere.zip'), 'x');
    await expect(restoreRunArchive(run, 'archives/../elsewhere.zip')).rejects.toThrow(
      /not inside the run's archives\/ folder/,
    );
    await expect(restoreRunArchive(run, join(tmp.path, 'x.zip'))).rejects.toThrow(/not inside/);
  });

  const slips: [string, Record<string, Uint8Array | [Uint8Array, { os?: number; attrs?: number }]>][] = [
    ['a ../ entry', { 'ok.txt': new Uint8Array([1]), '../escaped.txt': new Uint8Array([2]) }],
    ['a nested ../ entry', { 'dem/../../escaped.txt': new Uint8Array([2]) }],
    ['an absolute entry', { [`${'/'}tmp/escaped-${process.pid}.txt`]: new Uint8Array([2]) }],
    [
      'a symlink pointing outside',
      { 'evil-link': [new TextEncoder().encode('../../..'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] },
    ],
  ];
  for (const [what, files] of slips) {
    it(`rejects ${what} (zip-slip) before touching the run`, async () => {
      const before = await treeState(run);
      await writeFile(join(run, 'archives', 'evil.zip'), zipSync(files as never));
      const error = await restoreRunArchive(run, 'archives/evil.zip').catch((e: unknown) => e);
      expect(guardReasonOf(error)?.reason).toBe('ZIP_SLIP');
      expect(String(error)).toMatch(/rejected|outside the run/);
      expect(await treeState(run)).toEqual(before);
      expect((await readdir(join(run, 'archives'))).filter((n) => n.startsWith('.restoring'))).toEqual([]);
      await expect(stat(join(run, '..', 'escaped.txt'))).rejects.toThrow();
    });
  }

  it('a corrupt archive fails its test and the run is not touched', async () => {
    const before = await treeState(run);
    const { ref, path } = await createRunArchive(run, 'rlew');
    const bytes = await readFile(path);
    const at = bytes.indexOf(Buffer.from('climate/observed.cli')) + 2000; // inside the (incompressible) data of a large entry
    bytes[at] = bytes[at]! ^ 0xff;
    await writeFile(path, bytes);
    await mutate(run);
    const mutated = await treeState(run);
    const error = await restoreRunArchive(run, ref).catch((e: unknown) => e);
    expect(guardReasonOf(error)?.reason).toBe('RESTORE_FAILED');
    expect(await treeState(run)).toEqual(mutated);
    expect(mutated).not.toEqual(before);
  });

  it('entry names: only plain relative paths pass', () => {
    expect(entryNameProblem('watershed/hillslopes.parquet')).toBeNull();
    expect(entryNameProblem('../x')).toMatch(/escapes/);
    expect(entryNameProblem('a/../../x')).toMatch(/escapes/);
    expect(entryNameProblem('/etc/passwd')).toMatch(/absolute/);
    expect(entryNameProblem('C:/x')).toMatch(/absolute/);
    expect(entryNameProblem('a\\..\\x')).toMatch(/backslash/);
  });
});
