// @tidemark/sql/testing: golden cases and the laws over an app's own schema, the state read generically,
// so the app's new column shows in after/; the laws run over the golden befores (no arbitrary given).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunner } from '@tidemark/core';
import { describeGolden, describeLaws } from '@tidemark/testing';
import knexFactory, { type Knex } from 'knex';
import type { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { typeormPlugin } from './plugin.js';
import { knexHarness, typeormHarness } from './testing/index.js';
import { knexMigrations, typeormMigrations } from './test/app-migrations.js';
import { PG_URL, sqljsDataSource } from './test/databases.js';

const fixtures = (name: string) => fileURLToPath(new URL(`./test/fixtures/${name}`, import.meta.url));

// The app's users table exists already (its fixture); the migration under test adds the nickname.
const knexNickname = knexMigrations.filter((m) => m.id === '002_nickname').map((m) => ({ ...m, requires: [] }));
const typeormNickname = typeormMigrations.filter((m) => m.id === '002_nickname').map((m) => ({ ...m, requires: [] }));

// The app's configured Knex (it connects on first use); the harness makes its test databases on its server.
const app: Knex = knexFactory({ client: 'pg', connection: `${PG_URL}/postgres`, pool: { min: 0, max: 2 } });
afterAll(() => app.destroy());

describe('knexHarness on PostgreSQL', () => {
  const harness = knexHarness({ target: app, migrations: knexNickname, fixturesDir: fixtures('knex-postgres') });
  describeGolden(harness, { dir: fixtures('knex-postgres') });
  describeLaws(harness, { runs: 1, concurrency: 3 });

  it('reads every table of the database but the ledger, with its columns', async () => {
    const h = harness;
    const target = await h.create({
      t: {
        columns: { k: 'text NOT NULL', v: 'jsonb' },
        primaryKey: ['k'],
        rows: [
          { k: 'b', v: { x: 1 } },
          { k: 'a', v: null },
        ],
      },
    });
    try {
      await target.raw('CREATE TABLE tidemark_knex_ledger (id text)');
      expect(await h.read(target)).toEqual({
        t: {
          columns: { k: 'text NOT NULL', v: 'jsonb' },
          primaryKey: ['k'],
          rows: [
            { k: 'a', v: null },
            { k: 'b', v: { x: 1 } },
          ],
        },
      });
    } finally {
      await h.dispose(target);
    }
  });
});

describe('typeormHarness on SQLite (sql.js)', async () => {
  const target: DataSource = await sqljsDataSource();
  afterAll(() => target.destroy());
  const harness = typeormHarness({ target, migrations: typeormNickname, fixturesDir: fixtures('typeorm-sqljs') });
  describeGolden(harness, { dir: fixtures('typeorm-sqljs') });
  describeLaws(harness, { runs: 1, skip: { concurrency: 'sql.js is one in-process database per DataSource' } });
});

describe('typeormPlugin.capture', () => {
  it('writes exactly what the harness reads back: every table but the ledger, the app column included', async () => {
    const ds = await sqljsDataSource();
    const dir = await mkdtemp(join(tmpdir(), 'tdm-sql-capture-'));
    try {
      const plugin = typeormPlugin({ migrations: typeormMigrations });
      await createRunner({ plugin, target: ds }).up();
      await ds.query(`INSERT INTO users (id, name, nickname) VALUES (1, 'Ada', 'ada')`);
      await plugin.capture!(ds, dir);
      expect((await readdir(dir)).sort()).toEqual(['users.json']);
      const harness = typeormHarness({ target: ds, migrations: typeormMigrations, fixturesDir: dir });
      const loaded = await harness.fixture.load(dir);
      expect(loaded).toEqual(await harness.read(ds));
      expect(Object.keys(loaded.users!.columns)).toEqual(['id', 'name', 'nickname']);
    } finally {
      await ds.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
