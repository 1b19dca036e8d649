// `tidemark.config.ts`: which targets exist, each with its plugin and how to reach it. Loaded with jiti, so a
// TypeScript config runs on plain Node without a build step.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createJiti } from 'jiti';
import type { Guard, Plugin } from '@tidemark/core';
import { configFrame, missingImport, noDefaultExport, oneLine, unresolvedImport } from './config-errors.js';
import { CliError } from './exit-codes.js';

export interface TargetContext {
  /** Folder of the config file: resolve relative paths against it. */
  configDir: string;
  /** The working directory of the command. */
  cwd: string;
}

export interface TargetConfig<T> {
  plugin: Plugin<T>;
  /** The target, or a function that opens it (a pool, a client); called only by commands that need it. */
  target: T | ((context: TargetContext) => T | Promise<T>);
  /** Closes what `target()` opened (a pool, a connection). */
  dispose?: (target: T) => void | Promise<void>;
  /** Guards added inside the plugin's own (outermost first). */
  guards?: readonly Guard<T>[];
  /** Feature flags: only migrations without contexts or with one of these. */
  contexts?: readonly string[];
  lock?: { waitMs?: number; ttlMs?: number };
}

export interface TidemarkConfig {
  targets: Record<string, TargetConfig<any>>;
  /** Where `tidemark new` writes migrations and their index; relative to the config file. Default `src/migrations`. */
  migrationsDir?: string;
  /** Root of the fixture corpus (`<plugin>/<case>/{before,after}`); relative to the config file. Default `fixtures`. */
  fixturesDir?: string;
}

/** Type-checks a config; each target's plugin and target agree on the target type. */
export function defineConfig<M extends Record<string, unknown>>(config: {
  targets: { [K in keyof M]: TargetConfig<M[K]> };
  migrationsDir?: string;
  fixturesDir?: string;
}): TidemarkConfig {
  return config as TidemarkConfig;
}

export const CONFIG_NAMES = ['tidemark.config.ts', 'tidemark.config.mts', 'tidemark.config.js', 'tidemark.config.mjs'];

export interface LoadedConfig {
  file: string;
  dir: string;
  config: TidemarkConfig;
  migrationsDir: string;
  fixturesDir: string;
}

export interface LoadOptions {
  cwd: string;
  /** An explicit --config path. */
  file?: string | undefined;
  /** Module specifiers the config resolves to these already-loaded modules (tests; one copy of core). */
  modules?: Record<string, unknown>;
}

/** The config named by --config, else the first tidemark.config.* in cwd or a parent folder. */
export function findConfig(cwd: string, file?: string): string {
  if (file) {
    const path = resolve(cwd, file);
    if (!existsSync(path)) throw new CliError(`config file not found: ${path}`);
    return path;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_NAMES) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
    if (dirname(dir) === dir) break;
  }
  throw new CliError(
    `no ${CONFIG_NAMES[0]} (or .mts/.js/.mjs) in ${resolve(cwd)} or its parents; pass --config <file>`,
  );
}

export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const file = findConfig(options.cwd, options.file);
  const jitiOptions = {
    moduleCache: false,
    interopDefault: true,
    ...(options.modules ? { virtualModules: options.modules } : {}),
  };
  const jiti = createJiti(import.meta.url, jitiOptions);
  let module: Record<string, unknown>;
  try {
    module = (await jiti.import(file)) as Record<string, unknown>;
  } catch (error) {
    // Imports resolve as the config's own do: relative to the config file.
    const why = unresolvedImport(file, error) ?? (await missingImport(file, createJiti(file, jitiOptions)));
    if (why) throw new CliError(why);
    const where = configFrame(file, error);
    throw new CliError(
      `cannot load ${file}: ${oneLine(error instanceof Error ? error.message : String(error))}${where ? ` (at ${where})` : ''}`,
    );
  }
  if (!('default' in module)) throw new CliError(noDefaultExport(file, Object.keys(module)));
  const config = checkConfig(module.default, file);
  const dir = dirname(file);
  return {
    file,
    dir,
    config,
    migrationsDir: resolve(dir, config.migrationsDir ?? 'src/migrations'),
    fixturesDir: resolve(dir, config.fixturesDir ?? 'fixtures'),
  };
}

function checkConfig(value: unknown, file: string): TidemarkConfig {
  const bad = (what: string) => new CliError(`${file}: ${what}`);
  if (typeof value !== 'object' || value === null)
    throw bad('the default export must be a config object (export default defineConfig({...}))');
  const targets = (value as { targets?: unknown }).targets;
  if (typeof targets !== 'object' || targets === null || Object.keys(targets).length === 0)
    throw bad('"targets" must name at least one target');
  for (const [name, entry] of Object.entries(targets as Record<string, unknown>)) {
    const e = entry as Partial<TargetConfig<unknown>> | null;
    if (typeof e !== 'object' || e === null) throw bad(`targets.${name} must be an object`);
    const plugin = e.plugin as Partial<Plugin<unknown>> | undefined;
    if (
      !plugin ||
      typeof plugin.name !== 'string' ||
      !Array.isArray(plugin.migrations) ||
      typeof plugin.ledger !== 'function' ||
      typeof plugin.describe !== 'function'
    ) {
      throw bad(`targets.${name}.plugin must be a Tidemark plugin (definePlugin({...}))`);
    }
    if (!('target' in e) || e.target === undefined) throw bad(`targets.${name}.target is missing`);
  }
  return value as TidemarkConfig;
}

/** The targets a command acts on: the one named by --target, else all of them. */
export function selectTargets(loaded: LoadedConfig, name: string | undefined): [string, TargetConfig<unknown>][] {
  const all = Object.entries(loaded.config.targets);
  if (name === undefined) return all;
  const entry = loaded.config.targets[name];
  if (!entry) throw new CliError(`unknown target "${name}"; the config names: ${all.map(([n]) => n).join(', ')}`);
  return [[name, entry]];
}

/** Exactly one target (for `new` and `corpus capture`): --target, or the only one. */
export function selectOneTarget(loaded: LoadedConfig, name: string | undefined): [string, TargetConfig<unknown>] {
  const selected = selectTargets(loaded, name);
  if (selected.length !== 1) {
    throw new CliError(
      `the config has ${selected.length} targets; choose one with --target <${selected.map(([n]) => n).join('|')}>`,
    );
  }
  return selected[0]!;
}

export async function openTarget<T>(entry: TargetConfig<T>, context: TargetContext): Promise<T> {
  const target = entry.target;
  return typeof target === 'function' ? await (target as (c: TargetContext) => T | Promise<T>)(context) : target;
}

export interface ConfiguredTarget<T> {
  name: string;
  plugin: Plugin<T>;
  target: T;
  /** Runs the config's `dispose` for the target (if any). */
  close(): Promise<void>;
}

/**
 * Opens one target of the app's tidemark.config.ts as the CLI would (for tests: a plugin's harness makes its
 * scratch targets next to the app's configured one). `cwd`: where to look for the config (or pass `file`).
 */
export async function openConfiguredTarget<T = any>(
  name: string,
  options: { cwd: string; file?: string },
): Promise<ConfiguredTarget<T>> {
  const loaded = await loadConfig({ cwd: options.cwd, file: options.file });
  const [, entry] = selectOneTarget(loaded, name) as [string, TargetConfig<T>];
  const target = await openTarget(entry, { configDir: loaded.dir, cwd: options.cwd });
  return { name, plugin: entry.plugin, target, close: async () => void (await entry.dispose?.(target)) };
}
