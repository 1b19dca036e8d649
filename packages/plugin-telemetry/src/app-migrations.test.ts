// An app's own migrations run after the shipped ones (traits and guards unchanged; `requires` may name a
// shipped id), inside the step transaction like the shipped ones.
import { fileURLToPath } from 'node:url';
import { createRunner, defineMigration, type TidemarkEvent } from '@tidemark/core';
import { describe, expect, test } from 'vitest';
import { db } from './guards/step-transaction.js';
import { telemetryPlugin } from './plugin.js';
import type { TelemetryTarget } from './target.js';
import { telemetryHarness } from './test/harness.js';
import { loadFixture } from './testing/state.js';

const CASE = fileURLToPath(new URL('../../../fixtures/plugin-telemetry/clean-logger/before', import.meta.url));

const appMigration = defineMigration<TelemetryTarget>({
  id: '004_app_sample_note',
  title: 'app: run_samples.note',
  requires: ['003_ingest_logs'],
  async up(ctx) {
    await db(ctx.target).raw(`ALTER TABLE run_samples ADD COLUMN note text DEFAULT 'app'`);
  },
});

describe('telemetryPlugin({ migrations })', () => {
  test('the app migration runs after the three shipped ones', async () => {
    const plugin = telemetryPlugin({ migrations: [appMigration] });
    const shipped = telemetryPlugin();
    expect(plugin.migrations.map((m) => m.id)).toEqual([...shipped.migrations.map((m) => m.id), '004_app_sample_note']);
    expect(plugin.traits!.map((t) => t.id)).toEqual(shipped.traits!.map((t) => t.id));
    expect(plugin.guards!.map((g) => g.name)).toEqual(shipped.guards!.map((g) => g.name));
    const target = await telemetryHarness.create(await loadFixture(CASE));
    try {
      const started: string[] = [];
      const onEvent = (e: TidemarkEvent) => void (e.type === 'step:started' && started.push(e.migration));
      await createRunner({ plugin, target, onEvent }).up();
      expect(started).toEqual([...shipped.migrations.map((m) => m.id), '004_app_sample_note']);
      const notes = await target.knex('run_samples').distinct('note');
      expect(notes).toEqual([{ note: 'app' }]);
    } finally {
      await telemetryHarness.dispose(target);
    }
  });
});
