// `tidemark new <name>`: a migration from the plugin's template (or a generic one), registered in the index,
// with its fixture case and a test that runs it. Everything is checked before the first file is written.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Plugin, ScaffoldInput, ScaffoldOutput } from '@tidemark/core';
import { CliError, ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { selectTargets, type LoadedConfig } from '../config.js';
import type { Output } from '../output.js';
import { exportNameOf, nextMigrationId, titleOf } from '../scaffold/naming.js';
import { newIndexSource, registerInIndex } from '../scaffold/register.js';
import { genericMigration, genericTest, registrationTest } from '../scaffold/templates.js';

/** What the CLI passes to `plugin.scaffold()`: core's fields plus where things go. */
export interface CliScaffoldInput extends ScaffoldInput {
  plugin: string;
  /** The fixture case folder, relative to the migrations folder, posix separators (e.g. "../../fixtures/notes/004_x"). */
  fixtureDir: string;
}

/** A plugin's scaffold() may also return the source of the migration's test. */
export type CliScaffoldOutput = ScaffoldOutput & { test?: string };

export interface NewCommandEnv {
  cwd: string;
  out: Output;
  loaded: LoadedConfig;
  target: string | undefined;
}

function pluginFor(loaded: LoadedConfig, name: string | undefined): Plugin<unknown> {
  const selected = selectTargets(loaded, name);
  const plugins = new Map(selected.map(([, e]) => [e.plugin.name, e.plugin]));
  if (plugins.size !== 1) {
    throw new CliError(`the config's targets use ${plugins.size} plugins (${[...plugins.keys()].join(', ')}); choose one with --target <name>`);
  }
  return [...plugins.values()][0]!;
}

const posix = (path: string) => path.split(sep).join('/');

export async function newCommand(env: NewCommandEnv, name: string, options: { title?: string }): Promise<ExitCodeValue> {
  const { out, loaded } = env;
  const plugin = pluginFor(loaded, env.target);
  const migrationsDir = loaded.migrationsDir;
  const files = existsSync(migrationsDir) ? await readdir(migrationsDir) : [];
  const id = nextMigrationId(name, [...plugin.migrations.map((m) => m.id), ...files.filter((f) => f.endsWith('.ts'))]);
  if (plugin.migrations.some((m) => m.id === id)) throw new CliError(`plugin "${plugin.name}" already has a migration "${id}"`);
  const exportName = exportNameOf(id);
  const title = options.title?.trim() || titleOf(id);

  const migrationFile = join(migrationsDir, `${id}.ts`);
  const testFile = join(migrationsDir, `${id}.test.ts`);
  const indexFile = join(migrationsDir, 'index.ts');
  const fixtureDir = join(loaded.fixturesDir, plugin.name, id);
  for (const path of [migrationFile, testFile, fixtureDir]) {
    if (existsSync(path)) throw new CliError(`${path} already exists; nothing was written`);
  }
  const index = existsSync(indexFile)
    ? registerInIndex(await readFile(indexFile, 'utf8'), exportName, id, indexFile)
    : newIndexSource(exportName, id);

  const fixtureRel = posix(relative(migrationsDir, fixtureDir));
  const input: CliScaffoldInput = { id, title, exportName, plugin: plugin.name, fixtureDir: fixtureRel };
  const scaffolded: CliScaffoldOutput | undefined = plugin.scaffold?.(input);
  const migration = scaffolded?.migration ?? genericMigration(input);
  const test = scaffolded ? (scaffolded.test ?? registrationTest({ id, exportName, fixtureDir: fixtureRel })) : genericTest(input);

  await mkdir(migrationsDir, { recursive: true });
  await writeFile(migrationFile, migration);
  await writeFile(testFile, test);
  await writeFile(indexFile, index);
  for (const side of ['before', 'after']) {
    await mkdir(join(fixtureDir, side), { recursive: true });
    await writeFile(join(fixtureDir, side, '.gitkeep'), '');
  }

  const shown = (path: string) => posix(relative(env.cwd, path)) || '.';
  const written = { migration: shown(migrationFile), test: shown(testFile), index: shown(indexFile), fixture: shown(fixtureDir) };
  if (out.json) out.document({ command: 'new', ok: true, exitCode: ExitCode.OK, id, title, exportName, plugin: plugin.name, template: scaffolded ? 'plugin' : 'generic', files: written });
  else {
    out.print(`${out.paint('green', 'created')} migration ${id} (${title}) for plugin ${plugin.name}${scaffolded ? '' : ' from the generic template'}`);
    out.print(`  ${written.migration}`);
    out.print(`  ${written.test}`);
    out.print(`  ${written.index} (registered ${exportName})`);
    out.print(`  ${written.fixture}/{before,after} (fill in the golden case)`);
  }
  return ExitCode.OK;
}
