// Test databases: each test gets its own PostgreSQL database (random name, dropped after) or sql.js memory db.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { pgTestServerUrl } from '@tidemark/testing';
import { openPostgres, openSqljs } from '../connect.js';

export const PG_ADMIN_URL = `${pgTestServerUrl()}/postgres`;

export interface TestDb {
  ds: DataSource;
  url?: string;
  dispose(): Promise<void>;
}

/** A new database named `<prefix>_<random>`; a copy of `template` (a database nobody is connected to) when given. */
export async function createPgDatabase(
  prefix = 'tm_snap',
  template?: string,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export async function pgTestDb(poolSize = 10): Promise<TestDb> {
  const db = await createPgDatabase();
  const ds = await openPostgres(db.url, poolSize);
  return {
    ds,
    url: db.url,
    async dispose() {
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    },
  };
}

export async function sqljsTestDb(): Promise<TestDb> {
  const ds = await openSqljs();
  return {
    ds,
    async dispose() {
      if (ds.isInitialized) await ds.destroy();
    },
  };
}

export const dialects = [
  ['postgres', () => pgTestDb()],
  ['sqljs', () => sqljsTestDb()],
] as const;
