// The seed's "backup your database first", done before the first write of a run that has steps: a
// `pg_dump` (custom format) of the tables the backfill touches when pg_dump is on the PATH, else a copy of
// those tables in a named schema (PostgreSQL) or under a named prefix (SQLite), in one transaction. The
// password goes to pg_dump through its environment, never its command line.
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import { defineGuard, describeError, type Guard } from '@tidemark/core';
import { dialectOf } from './dialect.js';
import { hasTable } from './inspect.js';
import { isRehearsal } from './rehearse.js';
import { inTransaction, sql } from './transaction.js';

const run = promisify(execFile);

/** The tables `up` and `down` write (the ledger tables aside). */
export const TOUCHED_TABLES = ['production_runs', 'recipe_snapshots'] as const;

export interface BackupOptions {
  /** 'auto' (default): pg_dump on PostgreSQL when it is on the PATH and works, else a table copy. */
  method?: 'auto' | 'pg_dump' | 'copy';
  /** Where pg_dump writes `<database>.pre_migration.<timestamp>.dump`. Default `./backups`. */
  dir?: string;
  /** The pg_dump binary. Default `pg_dump`. */
  pgDump?: string;
  /** "Now" for the backup's name. */
  clock?: () => Date;
}

export interface Backup {
  method: 'pg_dump' | 'copy';
  /** The dump file, or the schema (PostgreSQL) / table prefix (SQLite) holding the copies. */
  ref: string;
  tables: string[];
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);

export async function takeBackup(ds: DataSource, options: BackupOptions = {}): Promise<Backup> {
  const tables: string[] = [];
  for (const t of TOUCHED_TABLES) if (await hasTable(ds, t)) tables.push(t);
  const when = stamp((options.clock ?? (() => new Date()))());
  const method = options.method ?? 'auto';
  if (dialectOf(ds) === 'postgres' && method !== 'copy') {
    try {
      return { method: 'pg_dump', ref: await pgDump(ds, tables, when, options), tables };
    } catch (error) {
      if (method === 'pg_dump') throw new Error(`pg_dump backup failed: ${describeError(error)}`);
    }
  }
  return { method: 'copy', ref: await copyTables(ds, tables, when), tables };
}

async function pgDump(ds: DataSource, tables: string[], when: string, options: BackupOptions): Promise<string> {
  const o = ds.options as {
    url?: string;
    host?: string;
    port?: number;
    username?: string;
    password?: string;
    database?: string;
  };
  const url = o.url ? new URL(o.url) : undefined;
  const database = (url ? decodeURIComponent(url.pathname.slice(1)) : o.database) ?? 'postgres';
  const [schema] = await sql<{ s: string }>(ds, 'SELECT current_schema() AS s');
  const dir = resolve(options.dir ?? 'backups');
  await mkdir(dir, { recursive: true });
  const file = resolve(dir, `${database.replace(/[^\w.-]/g, '_')}.pre_migration.${when}.dump`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: url?.hostname || o.host || 'localhost',
    PGPORT: String(url?.port || o.port || 5432),
    PGDATABASE: database,
    ...(url?.username || o.username ? { PGUSER: decodeURIComponent(url?.username || o.username || '') } : {}),
    ...(url?.password || o.password ? { PGPASSWORD: decodeURIComponent(url?.password || o.password || '') } : {}),
  };
  const args = [
    '--format=custom',
    `--file=${file}`,
    '--no-owner',
    ...tables.map((t) => `--table=${JSON.stringify(schema!.s)}.${JSON.stringify(t)}`),
  ];
  try {
    await run(options.pgDump ?? 'pg_dump', args, { env, timeout: 3_600_000 });
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return file;
}

async function copyTables(ds: DataSource, tables: string[], when: string): Promise<string> {
  const name = `tidemark_backup_${when}`;
  await inTransaction(ds, async () => {
    if (dialectOf(ds) === 'postgres') {
      await sql(ds, `CREATE SCHEMA ${name}`);
      for (const t of tables) await sql(ds, `CREATE TABLE ${name}.${t} AS TABLE ${t}`);
    } else {
      for (const t of tables) await sql(ds, `CREATE TABLE ${name}_${t} AS SELECT * FROM ${t}`);
    }
  });
  return name;
}

/** Takes a backup before the first write of an `up` or `down` that has steps; a failed backup refuses the run. */
export function backupGuard(options: BackupOptions = {}): Guard<DataSource> {
  return defineGuard<DataSource>({
    name: 'backup',
    async aroundRun(ctx, next) {
      // A rehearsal is rolled back anyway: nothing to back up.
      if (ctx.steps.length === 0 || isRehearsal(ctx.target)) return next();
      const backup = await takeBackup(ctx.target, options);
      ctx.emit('backup-taken', { ...backup });
      await next();
    },
  });
}
