// Every ```ts block of every README.md in the repository type-checks against the workspace packages, as an
// app would write it: each block is its own module in a folder inside the workspace whose node_modules
// links the third-party packages the workspace packages depend on (knex, pg, typeorm, mongodb, ...).
// A block that is deliberately a fragment (names defined elsewhere) is marked ```ts fragment and skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(packageDir, '..', '..');
const scratch = join(packageDir, '.scaffold-tmp');

interface Block {
  readme: string;
  line: number;
  source: string;
}

function readmes(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.') || e.name === 'dist') continue;
    if (e.isDirectory()) out.push(...readmes(join(dir, e.name)));
    else if (e.name === 'README.md') out.push(join(dir, e.name));
  }
  return out.sort();
}

/** ```ts / ```typescript blocks (not ```ts fragment), with the line they start on. */
export function tsBlocks(text: string): { line: number; source: string }[] {
  const blocks: { line: number; source: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)(\s+\S.*)?$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(open[1]!.length));
    if (!open[3]?.trim().split(/\s+/).includes('fragment')) blocks.push({ line: start + 1, source: body.join('\n') });
  }
  return blocks;
}

const blocks: Block[] = readmes(repoRoot).flatMap((file) =>
  tsBlocks(readFileSync(file, 'utf8')).map((b) => ({ readme: relative(repoRoot, file).split('\\').join('/'), ...b })),
);
const fileOf = (b: Block) => `${b.readme.replace(/[^A-Za-z0-9]+/g, '_')}_L${b.line}.ts`;

let root: string | undefined;
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** Links every third-party package of the workspace packages into `<dir>/node_modules`, first one wins. */
async function linkDependencies(dir: string): Promise<void> {
  const modules = join(dir, 'node_modules');
  await mkdir(modules);
  const linked = new Set<string>();
  const link = async (name: string, target: string) => {
    if (linked.has(name)) return;
    linked.add(name);
    await mkdir(join(modules, name, '..'), { recursive: true });
    await symlink(target, join(modules, name), 'dir');
  };
  for (const base of [
    join(repoRoot, 'node_modules'),
    ...readdirSync(join(repoRoot, 'packages')).map((p) => join(repoRoot, 'packages', p, 'node_modules')),
  ]) {
    if (!existsSync(base)) continue;
    for (const e of readdirSync(base)) {
      if (e.startsWith('.') || e === '@tidemark') continue;
      if (e.startsWith('@'))
        for (const scoped of readdirSync(join(base, e))) await link(`${e}/${scoped}`, join(base, e, scoped));
      else await link(e, join(base, e));
    }
  }
}

let diagnostics: string | undefined;
async function typecheck(): Promise<string> {
  if (diagnostics !== undefined) return diagnostics;
  await mkdir(scratch, { recursive: true });
  root = await mkdtemp(join(scratch, 'readmes-'));
  await linkDependencies(root);
  // The app layout `tidemark init` writes, for the config examples that import it.
  await mkdir(join(root, 'src', 'migrations'), { recursive: true });
  await writeFile(join(root, 'src', 'migrations', 'index.ts'), 'export const migrations = {\n  app: [],\n};\n');
  // Each block is a module: `export {}` allows top-level await and keeps names apart.
  for (const b of blocks) await writeFile(join(root, fileOf(b)), `${b.source}\nexport {};\n`);
  await writeFile(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      extends: join(repoRoot, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: true,
        // The base maps @tidemark/<pkg> to its source; the ./testing subpaths too, as the packages export them.
        paths: {
          '@tidemark/*/testing': [join(repoRoot, 'packages/*/src/testing/index.ts')],
          '@tidemark/*': [join(repoRoot, 'packages/*/src/index.ts')],
        },
      },
      include: ['*.ts', 'src'],
    }),
  );
  const res = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--pretty', 'false'],
    { cwd: root, encoding: 'utf8', timeout: 300_000 },
  );
  diagnostics = `${res.stdout}${res.stderr}`;
  return diagnostics;
}

describe('README code blocks', () => {
  it('finds the blocks, and skips only the ones marked fragment', () => {
    expect(
      tsBlocks('a\n```ts\nconst x = 1;\n```\n```ts fragment\nx;\n```\n  ```typescript\n  let y = 2;\n  ```\n'),
    ).toEqual([
      { line: 2, source: 'const x = 1;' },
      { line: 8, source: 'let y = 2;' },
    ]);
    expect(blocks.length).toBeGreaterThan(10);
  });

  for (const readme of [...new Set(blocks.map((b) => b.readme))]) {
    it(`${readme}: every ts block type-checks`, { timeout: 300_000 }, async () => {
      const output = await typecheck();
      const mine = blocks.filter((b) => b.readme === readme);
      const errors = output
        .split('\n')
        .filter((line) => mine.some((b) => line.startsWith(fileOf(b))))
        .map((line) => {
          const b = mine.find((x) => line.startsWith(fileOf(x)))!;
          const at = /^[^(]+\((\d+),(\d+)\): (.*)$/.exec(line);
          return at ? `${readme}:${b.line + Number(at[1])} ${at[3]}` : line;
        });
      expect(errors.join('\n')).toBe('');
    });
  }

  it('leaves no error outside the blocks', { timeout: 300_000 }, async () => {
    const output = await typecheck();
    // Errors inside the workspace packages' own sources (../...) are their typecheck's to report.
    expect(
      output
        .split('\n')
        .filter(
          (line) => /^\S/.test(line) && !line.startsWith('../') && !blocks.some((b) => line.startsWith(fileOf(b))),
        ),
    ).toEqual([]);
  });
});
