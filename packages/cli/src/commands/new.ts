// `tidemark new <name>`: a migration from the plugin's template (or a generic one), registered for its target
// in the app's one index, with a fixture case whose before/ is captured from the configured target, and a
// test running it. Everything is checked before the first file is written.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describeError, redact, type ScaffoldInput, type ScaffoldOutput } from '@tidemark/core';
import { CliError, ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { openTarget, selectOneTarget, type LoadedConfig, type TargetConfig } from '../config.js';
import type { Output } from '../output.js';
import { exportNameOf, nextMigrationId, titleOf } from '../scaffold/naming.js';
import { idsInIndex, newIndexSource, registerInIndex } from '../scaffold/register.js';
import { genericMigration, genericTest, goldenLawsTest, KNOWN_HARNESSES } from '../scaffold/templates.js';

/** What the CLI passes to `plugin.scaffold()`: core's fields, all of them set. */
export interface CliScaffoldInput extends ScaffoldInput {
  plugin: string;
  /**
   * The fixture case folder, relative to the migrations folder, posix separators (e.g. "../../fixtures/notes/004_x").
   */
  fixtureDir: string;
  /** The config's target: the test reads `migrations.<target>` from the index. */
  target: string;
}

/** A plugin's scaffold() may also return the source of the migration's test. */
export type CliScaffoldOutput = ScaffoldOutput;

export interface NewCommandEnv {
  cwd: string;
  out: Output;
  loaded: LoadedConfig;
  target: string | undefined;
}

const posix = (path: string) => path.split(sep).join('/');

export async function newCommand(
  env: NewCommandEnv,
  name: string,
  options: { title?: string },
): Promise<ExitCodeValue> {
  const { out, loaded } = env;
  const [targetName, entry] = selectOneTarget(loaded, env.target);
  const plugin = entry.plugin;
  const migrationsDir = loaded.migrationsDir;
  const indexFile = join(migrationsDir, 'index.ts');
  const indexSource = existsSync(indexFile) ? await readFile(indexFile, 'utf8') : undefined;
  const files = existsSync(migrationsDir) ? await readdir(migrationsDir) : [];

  // Numbered across every target of the config (shipped ids included), so ids stay unique in one app.
  const inUse = new Map<string, string>();
  for (const [other, e] of Object.entries(loaded.config.targets))
    for (const m of e.plugin.migrations) inUse.set(m.id, other);
  const id = nextMigrationId(name, [
    ...inUse.keys(),
    ...files.filter((f) => f.endsWith('.ts')),
    ...(indexSource ? idsInIndex(indexSource) : []),
  ]);
  const owner = inUse.get(id);
  if (owner !== undefined)
    throw new CliError(
      `target "${owner}" (plugin "${loaded.config.targets[owner]!.plugin.name}") already has a migration "${id}"`,
    );
  const exportName = exportNameOf(id);
  const title = options.title?.trim() || titleOf(id);

  const migrationFile = join(migrationsDir, `${id}.ts`);
  const testFile = join(migrationsDir, `${id}.test.ts`);
  const casesDir = join(loaded.fixturesDir, plugin.name);
  const fixtureDir = join(casesDir, id);
  for (const path of [migrationFile, testFile, fixtureDir]) {
    if (existsSync(path)) throw new CliError(`${path} already exists; nothing was written`);
  }
  const index = indexSource
    ? registerInIndex(indexSource, { target: targetName, exportName, id, file: indexFile })
    : newIndexSource({ [targetName]: [{ exportName, id }] });

  const fixtureRel = posix(relative(migrationsDir, fixtureDir));
  const input: CliScaffoldInput = {
    id,
    title,
    exportName,
    plugin: plugin.name,
    fixtureDir: fixtureRel,
    target: targetName,
  };
  const scaffolded: CliScaffoldOutput | undefined = plugin.scaffold?.(input);
  const migration = scaffolded?.migration ?? genericMigration(input);
  const harness = KNOWN_HARNESSES[plugin.name];
  const test =
    scaffolded?.test ??
    (harness
      ? goldenLawsTest({
          id,
          exportName,
          target: targetName,
          casesDir: posix(relative(migrationsDir, casesDir)),
          configDir: posix(relative(migrationsDir, loaded.dir)) || '.',
          harness,
        })
      : genericTest({ id, exportName, target: targetName }));

  await mkdir(migrationsDir, { recursive: true });
  await writeFile(migrationFile, migration);
  await writeFile(testFile, test);
  await writeFile(indexFile, index);
  const before = join(fixtureDir, 'before');
  await mkdir(before, { recursive: true });
  const captured = await captureBefore(env, targetName, entry, before);

  const shown = (path: string) => posix(relative(env.cwd, path)) || '.';
  const written = {
    migration: shown(migrationFile),
    test: shown(testFile),
    index: shown(indexFile),
    fixture: shown(fixtureDir),
  };
  const template = scaffolded ? 'plugin' : 'generic';
  if (out.json) {
    out.document({
      command: 'new',
      ok: true,
      exitCode: ExitCode.OK,
      id,
      title,
      exportName,
      target: targetName,
      plugin: plugin.name,
      template,
      files: written,
      before: captured,
    });
  } else {
    out.print(
      `${out.paint('green', 'created')} migration ${id} (${title}) for target ${targetName} (plugin ${plugin.name})${scaffolded ? '' : ' from the generic template'}`,
    );
    out.print(`  ${written.migration}`);
    out.print(`  ${written.test}`);
    out.print(`  ${written.index} (registered ${exportName} in migrations.${targetName})`);
    if (captured.captured)
      out.print(`  ${written.fixture}/before (captured from ${targetName}: ${captured.files} file(s))`);
    else
      out.print(
        `  ${written.fixture}/before is empty: ${captured.reason}; put the case's legacy state there by hand, or run \`tidemark corpus capture\``,
      );
    out.print(
      `next: write the migration, then run its test with TIDEMARK_UPDATE_GOLDEN=1 to write ${written.fixture}/after, and review it`,
    );
  }
  return ExitCode.OK;
}

type Captured = { captured: true; files: number } | { captured: false; reason: string };

/** The target's current state as the case's before/; any failure leaves it empty and says why. */
async function captureBefore(
  env: NewCommandEnv,
  name: string,
  entry: TargetConfig<unknown>,
  dir: string,
): Promise<Captured> {
  const plugin = entry.plugin;
  if (!plugin.capture) return { captured: false, reason: `plugin "${plugin.name}" cannot capture a target` };
  let target: unknown;
  try {
    target = await openTarget(entry, { configDir: env.loaded.dir, cwd: env.cwd });
  } catch (error) {
    return { captured: false, reason: `target "${name}" could not be opened (${redact(describeError(error))})` };
  }
  try {
    await plugin.capture(target, dir);
    return { captured: true, files: await countFiles(dir) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    return { captured: false, reason: `capture of target "${name}" failed (${redact(describeError(error))})` };
  } finally {
    try {
      await entry.dispose?.(target);
    } catch (error) {
      env.out.warn(`warning: closing target "${name}" failed: ${redact(describeError(error))}`);
    }
  }
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true }))
    n += e.isDirectory() ? await countFiles(join(dir, e.name)) : 1;
  return n;
}
