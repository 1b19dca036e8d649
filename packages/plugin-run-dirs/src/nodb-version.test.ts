import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { injectFaultAt } from './file-ops.js';
import { CURRENT_VERSION, nodbVersionStamp, readVersion, writeVersion } from './nodb-version.js';
import { tempDir } from './test/tmp-run.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function run(files: Record<string, string>) {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return { dir };
}

describe('nodb.version', () => {
  it('is CURRENT (1000) for a run without .nodb files and 0 for a legacy run', async () => {
    expect(CURRENT_VERSION).toBe(1000);
    expect(await readVersion(await run({}))).toBe(1000);
    expect(await readVersion(await run({ 'ron.nodb': '{}' }))).toBe(0);
    // a .nodb in a subfolder does not make a root legacy
    expect(await readVersion(await run({ 'dem/x.nodb': '{}' }))).toBe(1000);
  });

  it.each([
    ['', 0],
    ['\n', 0],
    ['abc\n', 0],
    ['0\n', 0],
    ['-3\n', 0],
    ['1.5\n', 0],
    ['1000\n', 1000],
    [' 1001 \n', 1001],
    ['1002', 1002],
  ])('marker %j on a legacy run reads as %i', async (text, expected) => {
    expect(await readVersion(await run({ 'ron.nodb': '{}', 'nodb.version': text }))).toBe(expected);
  });

  it('writes ASCII decimal + newline through a temp file and leaves no temp behind', async () => {
    const target = await run({ 'ron.nodb': '{}' });
    await writeVersion(target, 1001);
    expect(await readFile(join(target.dir, 'nodb.version'), 'utf8')).toBe('1001\n');
    expect((await readdir(target.dir)).sort()).toEqual(['nodb.version', 'ron.nodb']);
    expect(await readVersion(target)).toBe(1001);
  });

  it('a fault before the rename keeps the old marker whole', async () => {
    const target = await run({ 'ron.nodb': '{}', 'nodb.version': '1000\n' });
    const uninstall = injectFaultAt(1);
    await expect(writeVersion(target, 1002)).rejects.toThrow(/injected fault/);
    uninstall();
    expect(await readFile(join(target.dir, 'nodb.version'), 'utf8')).toBe('1000\n');
    expect((await readdir(target.dir)).sort()).toEqual(['nodb.version', 'ron.nodb']);
  });

  it('says whether a marker is stored (an unusable one counts) and removes it, so down can leave a run without one', async () => {
    const stamp = nodbVersionStamp;
    const bare = await run({ 'ron.nodb': '{}' });
    expect(await stamp.stored!(bare)).toBe(false);
    await stamp.write(bare, 1003);
    expect(await stamp.stored!(bare)).toBe(true);
    await stamp.remove!(bare);
    expect((await readdir(bare.dir)).sort()).toEqual(['ron.nodb']);
    expect(await stamp.read(bare)).toBe(0);
    await stamp.remove!(bare); // nothing left to remove: no error
    expect(await stamp.stored!(await run({ 'ron.nodb': '{}', 'nodb.version': 'garbage\n' }))).toBe(true);
  });

  it('rejects a negative or fractional version', async () => {
    const target = await run({});
    await expect(writeVersion(target, -1)).rejects.toThrow(/nodb\.version/);
    await expect(writeVersion(target, 1.5)).rejects.toThrow(/non-negative integer/);
  });
});
