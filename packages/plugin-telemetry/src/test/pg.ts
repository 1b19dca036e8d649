// Each test gets its own throwaway database on the test PostgreSQL (TIDEMARK_TEST_PG), so parallel runs never collide.
// One admin pool per test file creates and drops them (a new connection per CREATE costs more than the
// CREATE on a loaded machine); the next database is created while the current one is in use, a drop may
// run in the background, and the file waits for both at the end.
import { createError } from '@tidemark/core';
import { pgTestServerUrl } from '@tidemark/testing';
import knexFactory, { type Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export const PG_URL = pgTestServerUrl();

export interface TestDb {
  name: string;
  url: string;
  knex: Knex;
  connect(): Knex;
  /** Closes every pool on it and drops it; `background` returns at once (the file's afterAll waits). */
  drop(options?: { background?: boolean }): Promise<void>;
}

let admin: Knex | null = null;
const pending = new Set<Promise<void>>();
let spare: Promise<string> | null = null;

function adminPool(): Knex {
  admin ??= knexFactory({ client: 'pg', connection: `${PG_URL}/postgres`, pool: { min: 0, max: 2 } });
  return admin;
}

async function newDatabase(): Promise<string> {
  const name = `tdm_tel_${randomBytes(6).toString('hex')}`;
  await adminPool().raw(`CREATE DATABASE ${name}`);
  return name;
}

afterAll(async () => {
  const left = await spare?.catch(() => null);
  spare = null;
  if (left) await adminPool().raw(`DROP DATABASE IF EXISTS ${left} WITH (FORCE)`);
  await Promise.all(pending);
  await admin?.destroy();
  admin = null;
});

export async function createTestDb(pool: Knex.PoolConfig = { min: 0, max: 10 }): Promise<TestDb> {
  const name = await (spare ?? newDatabase()).catch(() => newDatabase());
  spare = newDatabase();
  void spare.catch(() => undefined);
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
    async drop(options = {}) {
      for (const k of extra) await k.destroy().catch(() => undefined);
      const dropping = adminPool()
        .raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        .then(() => undefined);
      if (!options.background) return dropping;
      const tracked = dropping
        .catch((error: unknown) =>
          console.warn(createError('plugin-telemetry', `test database ${name} not dropped`, { cause: error }).message),
        )
        .finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
  };
}

export async function tempDir(prefix = 'tdm-tel-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
