// The two SQL dialects this plugin writes: PostgreSQL and SQLite (sql.js, better-sqlite3, sqlite3).
import type { DataSource } from 'typeorm';
import { TidemarkError } from '@tidemark/core';

export type Dialect = 'postgres' | 'sqlite';

export function dialectOf(ds: DataSource): Dialect {
  const type = ds.options.type;
  if (type === 'postgres') return 'postgres';
  if (type === 'sqljs' || type === 'sqlite' || type === 'better-sqlite3') return 'sqlite';
  throw new TidemarkError(
    'NOT_SUPPORTED',
    `DataSource type "${type}" is not supported (postgres, sqljs, sqlite, better-sqlite3)`,
    {
      plugin: 'plugin-snapshots',
    },
  );
}

/** `$1` on PostgreSQL, `?` on SQLite. */
export function placeholder(dialect: Dialect, n: number): string {
  return dialect === 'postgres' ? `$${n}` : '?';
}

/**
 * A timestamp parameter in the form TypeORM itself writes: on SQLite a UTC "YYYY-MM-DD HH:MM:SS.SSS" string;
 * on PostgreSQL a Date (node-postgres sends it with the local offset, as TypeORM does).
 */
export function timestampParam(dialect: Dialect, date: Date): Date | string {
  return dialect === 'postgres' ? date : date.toISOString().replace('T', ' ').replace('Z', '');
}

/** A timestamp value read by a raw query, as ISO-8601 UTC. */
export function timestampFromDb(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`).toISOString();
}
