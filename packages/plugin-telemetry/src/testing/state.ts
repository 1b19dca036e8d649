// A legacy extruder folder plus the database, as plain data: `files` are config.json and everything under
// logs/ (text), `tables` every plugin table's rows (ledger excluded). On disk a fixture is the same folder:
// config.json, logs/..., and db/<table>.json — plain and diffable.
import { createError } from '@tidemark/core';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Knex } from 'knex';
import { readTables, type TableRows } from '../golden-state.js';
import { TABLES } from '../schema.js';

export interface TelemetryState {
  /** 'config.json' and 'logs/<path>' -> file text. */
  files: Record<string, string>;
  tables: TableRows;
}

async function walk(root: string, dir: string, out: Record<string, string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) await walk(root, full, out);
    else if (e.isFile()) out[relative(root, full).split(sep).join('/')] = await readFile(full, 'utf8');
  }
}

/** config.json and logs/** of a folder (anything else in it is not state). */
export async function readFolder(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  await walk(root, join(root, 'logs'), files);
  const config = await readFile(join(root, 'config.json'), 'utf8').catch(() => null);
  if (config !== null) files['config.json'] = config;
  return sortKeys(files);
}

/** A target's config.json and logs/** as state files (`tidemark corpus capture` writes them as before/). */
export async function readTargetFiles(target: {
  configPath: string;
  logsDir: string;
}): Promise<Record<string, string>> {
  const logs: Record<string, string> = {};
  await walk(target.logsDir, target.logsDir, logs);
  const files: Record<string, string> = Object.fromEntries(
    Object.entries(logs).map(([rel, text]) => [`logs/${rel}`, text]),
  );
  const config = await readFile(target.configPath, 'utf8').catch(() => null);
  if (config !== null) files['config.json'] = config;
  return sortKeys(files);
}

export async function writeFolder(files: Record<string, string>, root: string): Promise<void> {
  await mkdir(join(root, 'logs'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    if (path !== 'config.json' && !path.startsWith('logs/'))
      throw createError('plugin-telemetry', `state file "${path}" is neither config.json nor under logs/`);
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

export async function readState(root: string, knex: Knex): Promise<TelemetryState> {
  return { files: await readFolder(root), tables: plain(await readTables(knex)) };
}

export async function loadFixture(dir: string): Promise<TelemetryState> {
  const tables: TableRows = {};
  const dbDir = join(dir, 'db');
  for (const f of (await readdir(dbDir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort()) {
    tables[f.slice(0, -'.json'.length)] = JSON.parse(await readFile(join(dbDir, f), 'utf8')) as TableRows[string];
  }
  return { files: await readFolder(dir), tables };
}

export async function writeFixture(state: TelemetryState, dir: string): Promise<void> {
  await writeFolder(state.files, dir);
  if (Object.keys(state.tables).length === 0) return;
  await mkdir(join(dir, 'db'), { recursive: true });
  for (const [table, rows] of Object.entries(state.tables))
    await writeFile(join(dir, 'db', `${table}.json`), `${JSON.stringify(rows, null, 1)}\n`);
}

// Serial ids are not part of the observable state: sequences are not rolled back with a failed step, so a
// rerun after a fault numbers its rows differently. Ids become their rank, and foreign keys follow.
const ID_TABLES = [TABLES.configProfiles, TABLES.configAppliedEvents, TABLES.runs, TABLES.ingestedFiles] as const;
const REFS: Record<string, Record<string, string>> = {
  [TABLES.configAppliedEvents]: { profile_id: TABLES.configProfiles },
  [TABLES.runs]: { config_profile_id: TABLES.configProfiles },
  [TABLES.runSamples]: { run_id: TABLES.runs },
  [TABLES.loggerEvents]: { run_id: TABLES.runs, file_id: TABLES.ingestedFiles },
  [TABLES.ingestedFiles]: { run_id: TABLES.runs, copy_of: TABLES.ingestedFiles },
  [TABLES.rejectedRows]: { file_id: TABLES.ingestedFiles },
};

export function normalizeState(state: TelemetryState): TelemetryState {
  const rank = new Map<string, Map<number, number>>();
  for (const table of ID_TABLES) {
    const ids = (state.tables[table] ?? []).map((r) => Number(r.id)).sort((a, b) => a - b);
    rank.set(table, new Map(ids.map((id, i) => [id, i + 1])));
  }
  const tables: TableRows = {};
  for (const [table, rows] of Object.entries(state.tables)) {
    tables[table] = rows.map((row) => {
      const out: Record<string, unknown> = { ...row };
      if ('id' in out && rank.has(table)) out.id = rank.get(table)!.get(Number(out.id)) ?? out.id;
      for (const [column, ref] of Object.entries(REFS[table] ?? {})) {
        if (out[column] !== null && out[column] !== undefined)
          out[column] = rank.get(ref)?.get(Number(out[column])) ?? out[column];
      }
      return out;
    });
  }
  return { files: sortKeys(state.files), tables: sortKeys(tables) };
}

function plain<V>(value: V): V {
  return JSON.parse(JSON.stringify(value)) as V;
}

function sortKeys<V>(record: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
