import type { DataSource } from 'typeorm';
import { definePlugin, redact, type Plugin } from '@tidemark/core';
import { dialectOf } from './dialect.js';
import { runTransactionGuard } from './guards/index.js';
import { appTablesGuard } from './preflight.js';
import { backupGuard } from './backup.js';
import { migrationSummary } from './report.js';
import { openRehearsal } from './rehearse.js';
import { typeormLedger } from './ledger.js';
import { migrations } from './migrations/index.js';
import { resolveOptions, type SnapshotsPluginOptions } from './options.js';
import { scaffoldSnapshotsMigration } from './scaffold.js';
import { readAppState, writeAppFixture } from './testing/app-state.js';
import {
  runLinkMissing,
  runsWithoutSnapshot,
  snapshotForeignKeysMissing,
  snapshotsTableMissing,
} from './traits/index.js';

/** The plugin's name: also its golden corpus folder, `fixtures/plugin-snapshots/`. */
export const PLUGIN_NAME = 'plugin-snapshots';

/** The target is your initialized TypeORM DataSource (postgres, sqljs, sqlite or better-sqlite3). */
export function snapshotsPlugin(options: SnapshotsPluginOptions = {}): Plugin<DataSource> {
  const resolved = resolveOptions(options);
  const plugin: Plugin<DataSource> = definePlugin<DataSource>({
    name: PLUGIN_NAME,
    migrations: [...migrations(resolved), ...(options.migrations ?? [])],
    traits: [snapshotsTableMissing, runLinkMissing, runsWithoutSnapshot, snapshotForeignKeysMissing],
    guards: [
      appTablesGuard,
      ...(resolved.backup ? [backupGuard(resolved.backup)] : []),
      ...(resolved.commit === 'run' ? [runTransactionGuard] : []),
    ],
    report: (ds, context) => migrationSummary(ds, context, options.ledgerPrefix),
    rehearse: (ds) => openRehearsal(ds, () => plugin),
    ledger: (ds) => typeormLedger(ds, { prefix: options.ledgerPrefix }),
    describe: describeDataSource,
    // What the ./testing harness reads: every table and column but the ledger's.
    capture: async (ds, dir) => writeAppFixture(await readAppState(ds, { ledgerPrefix: resolved.ledgerPrefix }), dir),
    scaffold: scaffoldSnapshotsMigration,
  });
  return plugin;
}

export function describeDataSource(ds: DataSource): string {
  const o = ds.options as {
    type: string;
    host?: string;
    port?: number;
    database?: string | Uint8Array;
    url?: string;
    location?: string;
  };
  dialectOf(ds);
  if (o.type === 'postgres') {
    if (o.url) return redact(o.url);
    return `postgres://${o.host ?? 'localhost'}:${o.port ?? 5432}/${typeof o.database === 'string' ? o.database : ''}`;
  }
  return `${o.type}:${o.location ?? (typeof o.database === 'string' ? o.database : 'memory')}`;
}
