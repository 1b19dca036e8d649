// The plugin's harness for @tidemark/testing. PostgreSQL targets are schemas inside one database per test
// file (a CREATE DATABASE costs ~2 s on this disk; a schema ~10 ms), each with its own DataSource whose
// search_path is that schema. sql.js targets are fresh in-memory databases.
import { randomBytes } from 'node:crypto';
import type { PluginHarness } from '@tidemark/testing';
import { DataSource } from 'typeorm';
import { openSqljs } from '../connect.js';
import { snapshotEntities } from '../entities.js';
import { readFixture, writeFixture } from '../fixture.js';
import { snapshotsPlugin } from '../plugin.js';
import { loadState, normalizeState, readState, type SnapshotsState } from '../state.js';
import { legacyDatabase } from './arbitrary.js';
import { FIXED_NOW } from './scenarios.js';

const plugin = snapshotsPlugin({ commit: 'run', batchSize: 3, clock: () => FIXED_NOW });

const common = {
  plugin,
  read: readState,
  fixture: { load: readFixture, write: writeFixture },
  arbitrary: legacyDatabase,
  reversible: true,
  normalize: normalizeState,
  atomicity: 'run' as const,
};

export function sqljsHarness(): PluginHarness<DataSource, SnapshotsState> {
  return {
    ...common,
    async create(state) {
      const ds = await openSqljs();
      await loadState(ds, state);
      return ds;
    },
    async dispose(ds) {
      if (ds.isInitialized) await ds.destroy();
    },
  };
}

const schemaOf = new WeakMap<DataSource, string>();

/** A fresh schema in the test file's database, and a DataSource whose search_path is that schema. */
export async function pgSchemaTarget(databaseUrl: string): Promise<DataSource> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new DataSource({ type: 'postgres', url: databaseUrl });
  await admin.initialize();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.destroy();
  }
  return openSchema(databaseUrl, schema);
}

async function openSchema(databaseUrl: string, schema: string): Promise<DataSource> {
  const ds = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    schema,
    entities: snapshotEntities,
    extra: { max: 12, options: `-c search_path=${schema}` },
  });
  await ds.initialize();
  schemaOf.set(ds, schema);
  return ds;
}

export async function dropSchemaTarget(ds: DataSource): Promise<void> {
  await ds.query(`DROP SCHEMA ${schemaOf.get(ds)!} CASCADE`);
  await ds.destroy();
}

/** `databaseUrl` is a database the test file created (and drops). */
export function pgSchemaHarness(databaseUrl: () => string): PluginHarness<DataSource, SnapshotsState> {
  const open = async (schema: string) => {
    return openSchema(databaseUrl(), schema);
  };
  return {
    ...common,
    async create(state) {
      const ds = await pgSchemaTarget(databaseUrl());
      await loadState(ds, state);
      return ds;
    },
    dispose: dropSchemaTarget,
    attach: async (ds) => open(schemaOf.get(ds)!),
    detach: async (ds) => {
      await ds.destroy();
    },
  };
}
