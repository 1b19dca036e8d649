// Each test gets its own PostgreSQL database (random name, dropped after) on the test server (TIDEMARK_TEST_PG), or an
// in-memory sql.js database.
import knexFactory, { type Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { pgTestServerUrl } from '@tidemark/testing';
import pg from 'pg';
import { DataSource } from 'typeorm';

export const PG_URL = pgTestServerUrl();

async function admin<R>(fn: (client: pg.Client) => Promise<R>): Promise<R> {
  const client = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface PgDatabase {
  name: string;
  url: string;
  knex(pool?: Knex.PoolConfig): Knex;
  typeorm(poolSize?: number): Promise<DataSource>;
  drop(): Promise<void>;
}

export async function createPgDatabase(prefix = 'tdm_sql'): Promise<PgDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = `${PG_URL}/${name}`;
  const clients: (Knex | DataSource)[] = [];
  return {
    name,
    url,
    knex(pool = { min: 0, max: 4 }) {
      const k = knexFactory({ client: 'pg', connection: url, pool });
      clients.push(k);
      return k;
    },
    async typeorm(poolSize = 4) {
      const ds = await new DataSource({ type: 'postgres', url, logging: false, extra: { max: poolSize } }).initialize();
      clients.push(ds);
      return ds;
    },
    async drop() {
      for (const c of clients) {
        if (c instanceof DataSource) {
          if (c.isInitialized) await c.destroy().catch(() => undefined);
        } else await c.destroy().catch(() => undefined);
      }
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export async function sqljsDataSource(): Promise<DataSource> {
  return new DataSource({ type: 'sqljs', logging: false }).initialize();
}
