// A migration applied by `tidemark up` (jiti) must not read as checksum drift to the app's tsc-built startup
// hook, to tsx or to the tests (vitest): one migrations file, compiled by each, gives one checksum per
// migration. Release 0.1's checksum (kept as a previous checksum) differed between them: the fixture is proof.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Migration } from '@tidemark/core';
import { runDirsPlugin } from '@tidemark/plugin-run-dirs';
import { createJiti } from 'jiti';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as viaVitest from './test/checksum-flavours/migrations.js';

const run = promisify(execFile);
const cliDir = fileURLToPath(new URL('..', import.meta.url));
const fixtureDir = fileURLToPath(new URL('./test/checksum-flavours/', import.meta.url));
const runDirsSrc = fileURLToPath(new URL('../../plugin-run-dirs/src/migrations/index.ts', import.meta.url));

/** Per migration id: its checksum, and what release 0.1 computed for it under the same tool. */
type Sums = Record<string, { checksum: string; legacy: string }>;

type Defined = Pick<Migration<unknown>, 'id' | 'checksum' | 'previousChecksums'>;

const sumsOf = (migrations: readonly Defined[]): Sums =>
  Object.fromEntries(
    migrations.map((m) => [m.id, { checksum: m.checksum, legacy: m.previousChecksums?.at(-1) ?? m.checksum }]),
  );

// Prints the sums of the `migrations` a module exports (`require` loads it as CommonJS).
const PRINT_SUMS = `
import { createRequire } from 'node:module';
const [how, file] = process.argv.slice(2);
const mod = how === 'require' ? createRequire(import.meta.url)(file) : await import(how === 'run-dirs-dist' ? new URL('./migrations/index.js', import.meta.resolve('@tidemark/plugin-run-dirs')).href : file);
const sums = Object.fromEntries(mod.migrations.map((m) => [m.id, { checksum: m.checksum, legacy: m.previousChecksums?.at(-1) ?? m.checksum }]));
console.log(JSON.stringify(sums));
`;

let work: string;
const printer = () => join(work, 'print-sums.mjs');

/** Runs the printer in a child Node from the cli package (its node_modules: tsx, @tidemark/* built). */
async function childSums(args: readonly string[], nodeFlags: readonly string[] = []): Promise<Sums> {
  const { stdout } = await run(process.execPath, [...nodeFlags, printer(), ...args], { cwd: cliDir });
  return JSON.parse(stdout) as Sums;
}

/** tsc's output of the fixture folder (typescript's transpileModule, as the repo's tsconfig targets) in `format`. */
async function tscBuild(format: 'esm' | 'cjs'): Promise<string> {
  const out = join(work, `tsc-${format}`);
  const base = ts.readConfigFile(
    fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url)),
    ts.sys.readFile,
  );
  const { options } = ts.convertCompilerOptionsFromJson(base.config.compilerOptions, cliDir);
  const compilerOptions = {
    ...options,
    module: format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    verbatimModuleSyntax: false,
    sourceMap: false,
    declaration: false,
    paths: {},
  };
  await mkdir(out, { recursive: true });
  for (const file of (await readdir(fixtureDir)).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(await readFile(join(fixtureDir, file), 'utf8'), {
      compilerOptions,
      fileName: file,
    });
    await writeFile(join(out, file.replace(/\.ts$/, '.js')), outputText);
  }
  await writeFile(join(out, 'package.json'), JSON.stringify({ type: format === 'esm' ? 'module' : 'commonjs' }));
  return join(out, 'migrations.js');
}

/** What `tidemark up` does: jiti with the options config.ts loads a config (and its migrations) with. */
async function jitiSums(file: string): Promise<Sums> {
  const jiti = createJiti(join(cliDir, 'src', 'config.ts'), { moduleCache: false, interopDefault: true });
  return sumsOf((await jiti.import<{ migrations: Defined[] }>(file)).migrations);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tidemark-checksum-flavours-'));
  await writeFile(printer(), PRINT_SUMS);
  // The printer and the built files import @tidemark/* as an app would: from node_modules (the built dist).
  await symlink(join(cliDir, 'node_modules'), join(work, 'node_modules'), 'dir');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

// Child processes and jiti's transforms: minutes on a loaded machine, seconds on an idle one.
const SLOW = 240_000;

describe('one migrations file, every compiler: one checksum', () => {
  it(
    'tsc (ESM and CommonJS, built and run in node), jiti (tidemark up), tsx and vitest agree',
    async () => {
      const flavours: Record<string, Sums> = {
        vitest: sumsOf(viaVitest.migrations),
        jiti: await jitiSums(join(fixtureDir, 'migrations.ts')),
        'tsc esm': await childSums(['import', await tscBuild('esm')]),
        'tsc cjs': await childSums(['require', await tscBuild('cjs')]),
        tsx: await childSums(['import', join(fixtureDir, 'migrations.ts')], ['--import', 'tsx']),
      };
      const checksums = Object.fromEntries(
        Object.entries(flavours).map(([tool, sums]) => [
          tool,
          Object.fromEntries(Object.entries(sums).map(([id, s]) => [id, s.checksum])),
        ]),
      );
      expect(Object.keys(checksums.vitest!)).toEqual(['001_notes', '002_log']);
      for (const [tool, sums] of Object.entries(checksums)) expect(sums, tool).toEqual(checksums.vitest);
      // The fixture does exercise the bug: 0.1's algorithm gave a different checksum to each of these tools.
      for (const id of ['001_notes', '002_log']) {
        expect(new Set(Object.values(flavours).map((sums) => sums[id]!.legacy)).size, id).toBe(
          Object.keys(flavours).length,
        );
      }
    },
    SLOW,
  );

  it(
    'plugin-run-dirs: its built dist, its src under jiti and under vitest give the same checksums',
    async () => {
      const dist = await childSums(['run-dirs-dist', '']);
      const jiti = await jitiSums(runDirsSrc);
      const vitest = sumsOf(runDirsPlugin().migrations);
      const only = (sums: Sums) => Object.fromEntries(Object.entries(sums).map(([id, s]) => [id, s.checksum]));
      expect(Object.keys(dist)).toContain('005_wbt_geojson_ids');
      expect(only(jiti)).toEqual(only(dist));
      expect(only(vitest)).toEqual(only(dist));
    },
    SLOW,
  );
});
