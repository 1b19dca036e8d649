// An app's own migrations run after the shipped ones (traits and guards unchanged; `requires` may name a
// shipped id).
import { createRunner, defineMigration, type TidemarkEvent } from '@tidemark/core';
import { afterAll, describe, expect, test } from 'vitest';
import { sheetsPlugin } from './plugin.js';
import type { SheetsTarget } from './target.js';
import { gridOf, newTarget, seedSheet, startEmulator } from './test/harness.js';
import { v21Values } from './test/sample.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;

/** Writes "app" in the first cell right of the data (column BQ, after the 68 v3.0 columns). */
const appMigration = defineMigration<SheetsTarget>({
  id: '006_app_note',
  title: 'app: a note cell',
  requires: ['005_smoke_checks'],
  async up(ctx) {
    const sheets = await ctx.target.session.sheets();
    await ctx.target.session.call('values.update', 'write', (o) =>
      sheets.spreadsheets.values.update({
        spreadsheetId: ctx.target.spreadsheetId,
        range: `${ctx.target.sheetName}!BQ1`,
        valueInputOption: 'RAW',
        requestBody: { values: [['app']] },
        ...o,
      }),
    );
  },
});

describe('sheetsPlugin({ migrations })', () => {
  test('the app migration runs after the five shipped ones', async () => {
    const plugin = sheetsPlugin({ migrations: [appMigration] });
    const shipped = sheetsPlugin();
    expect(plugin.migrations.map((m) => m.id)).toEqual([...shipped.migrations.map((m) => m.id), '006_app_note']);
    expect(plugin.traits!.map((t) => t.id)).toEqual(shipped.traits!.map((t) => t.id));
    expect(plugin.guards!.map((g) => g.name)).toEqual(shipped.guards!.map((g) => g.name));
    const id = seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(5), columnCount: 70, rowCount: 10 }]);
    const started: string[] = [];
    const onEvent = (e: TidemarkEvent) => void (e.type === 'step:started' && started.push(e.migration));
    await createRunner({ plugin, target: newTarget(id), onEvent }).up();
    expect(started).toEqual([...shipped.migrations.map((m) => m.id), '006_app_note']);
    expect(gridOf(emulator, id).values![0]![68]).toBe('app');
  });
});
