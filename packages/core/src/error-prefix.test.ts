// Every package makes its errors with createError (or TidemarkError with its plugin name): a hand-written
// `[tidemark] [x]` prefix drifts (four spellings of one plugin's name were found), createError's cannot.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const packages = fileURLToPath(new URL('../../', import.meta.url));

it('no package source writes a [tidemark] [x] prefix by hand', async () => {
  const found: string[] = [];
  for (const entry of await readdir(packages, { recursive: true, withFileTypes: true })) {
    const file = join(entry.parentPath, entry.name);
    const rel = relative(packages, file);
    if (
      !entry.isFile() ||
      !entry.name.endsWith('.ts') ||
      entry.name.endsWith('.test.ts') ||
      !/^[^/]+\/src\//.test(rel) ||
      rel.includes('node_modules')
    )
      continue;
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      // A string or template literal that starts with the prefix (comments and regexes may name it).
      if (!/^\s*(\/\/|\*|\/\*)/.test(line) && /[`'"]\[tidemark\] \[/.test(line)) found.push(`${rel}:${i + 1}`);
    });
  }
  expect(found).toEqual([]);
});
