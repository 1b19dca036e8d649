// Each test gets its own throwaway database on the machine's PostgreSQL, so parallel runs never collide.
import knexFactory, { type Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_URL = process.env.TIDEMARK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDb {
  name: string;
  url: string;
  knex: Knex;
  connect(): Knex;
  drop(): Promise<void>;
}

export async function createTestDb(pool: Knex.PoolConfig = { min: 0, max: 10 }): Promise<TestDb> {
  const name = `tdm_tel_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: `${PG_URL}/postgres`, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`CREATE DATABASE ${name}`);
  } finally {
    await admin.destroy();
  }
  const url = `${PG_URL}/${name}`;
  const extra: Knex[] = [];
  const connect = () => {
    const k = knexFactory({ client: 'pg', connection: url, pool });
    extra.push(k);
    return k;
  };
  const knex = connect();
  return {
    name,
    url,
    knex,
    connect,
    async drop() {
      for (const k of extra) await k.destroy().catch(() => undefined);
      const a = knexFactory({ client: 'pg', connection: `${PG_URL}/postgres`, pool: { min: 0, max: 1 } });
      try {
        await a.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.destroy();
      }
    },
  };
}

export async function tempDir(prefix = 'tdm-tel-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
