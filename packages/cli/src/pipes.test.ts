// `tidemark … | head -1`: when the reader of stdout goes away, the command ends quietly with its own exit code.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { spawnBin } from './test/bin.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  dir ??= await mkdtemp(join(tmpdir(), 'tidemark-pipe-'));
  const child = await spawnBin(args, dir);
  // The reader is gone before the first line is written: every write to stdout meets EPIPE.
  child.stdout!.destroy();
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stderr };
}

it("exits quietly with the command's own code when stdout is closed early", { timeout: 120_000 }, async () => {
  const help = await withClosedStdout(['--help']);
  expect(help.stderr).toBe('');
  expect(help.code).toBe(0);

  dir ??= await mkdtemp(join(tmpdir(), 'tidemark-pipe-'));
  await writeFile(join(dir, 'tidemark.config.ts'), 'export default {};\n');
  const status = await withClosedStdout(['status', '--json']);
  expect(status.stderr).not.toContain('EPIPE');
  expect(status.stderr).not.toMatch(/\n\s+at /);
  expect(status.stderr.trim()).toMatch(/^error .*tidemark\.config\.ts: "targets" must name at least one target$/);
  expect(status.code).toBe(2);
});
