// The harness of `@tidemark/plugin-telemetry/testing`: the shipped corpus passes through it unchanged, and
// an app migration's column and table show in the state.
import { fileURLToPath } from 'node:url';
import { createRunner, defineMigration } from '@tidemark/core';
import { describeGolden } from '@tidemark/testing';
import { describe, expect, test } from 'vitest';
import { db } from '../guards/step-transaction.js';
import type { TelemetryTarget } from '../target.js';
import { PG_URL } from '../test/pg.js';
import { loadFixture, postgresDatabases, telemetryHarness } from './index.js';

const CORPUS = fileURLToPath(new URL('../../../../fixtures/plugin-telemetry/', import.meta.url));
const database = postgresDatabases(PG_URL);

describeGolden(telemetryHarness({ database }), { dir: CORPUS });

const addNote = defineMigration<TelemetryTarget>({
  id: '004_app_note',
  title: 'app: run_samples.note and app_audit',
  requires: ['003_ingest_logs'],
  async up(ctx) {
    await db(ctx.target).raw(`ALTER TABLE run_samples ADD COLUMN note text DEFAULT 'app'`);
    await db(ctx.target).raw(`CREATE TABLE app_audit (what text)`);
    await db(ctx.target).raw(`INSERT INTO app_audit VALUES ('notes added')`);
  },
});

describe('telemetryHarness with an app migration', () => {
  test("the app's column and table show in the state; the ledger does not", async () => {
    const harness = telemetryHarness({ database, migrations: [addNote] });
    expect(harness.reversible).toBe(false);
    const target = await harness.create(await loadFixture(`${CORPUS}clean-logger/before`));
    try {
      await createRunner({ plugin: harness.plugin as never, target }).up();
      const state = await harness.read(target);
      expect(state.tables.run_samples!.length).toBeGreaterThan(0);
      expect(state.tables.run_samples!.every((r) => r.note === 'app')).toBe(true);
      expect(state.tables.app_audit).toEqual([{ what: 'notes added' }]);
      expect(Object.keys(state.tables).filter((t) => t.startsWith('tidemark'))).toEqual([]);
    } finally {
      await harness.dispose(target);
    }
  });
});
