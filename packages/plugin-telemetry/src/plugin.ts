// The plugin object: a plain definePlugin({...}) built from options (the harness spreads and wraps it).
import { definePlugin, type Plugin } from '@tidemark/core';
import { backupGuard, precheckGuard } from './guards/index.js';
import { pathsGuard } from './paths-guard.js';
import { postgresLedger } from './ledger.js';
import { stepTransactionGuard } from './guards/step-transaction.js';
import { migrations } from './migrations/index.js';
import { PLUGIN_NAME, type TelemetryPluginOptions } from './options.js';
import { configNotProfiledTrait, uningestedCsvTrait } from './traits/index.js';
import { scaffoldTelemetryMigration } from './scaffold.js';
import { readTargetFiles, writeFixture } from './testing/state.js';
import { describeTarget, type TelemetryTarget } from './target.js';
import { formatRunbook, runbookReport, type RunbookReport } from './runbook.js';
import { envFlag } from './telemetry-writer.js';
import { openTelemetryRehearsal, rehearsalOrigin } from './rehearsal-session.js';

/** The plugin plus `report`: the runbook checklist that `tidemark up` / `down` print after each run. */
export type TelemetryPlugin = Plugin<TelemetryTarget> & {
  report(target: TelemetryTarget): Promise<{ text: string; data: RunbookReport }>;
};

export function telemetryPlugin(options: TelemetryPluginOptions = {}): TelemetryPlugin {
  const plugin = definePlugin<TelemetryTarget>({
    name: PLUGIN_NAME,
    migrations: [...migrations(options), ...(options.migrations ?? [])],
    traits: [configNotProfiledTrait, uningestedCsvTrait(options)],
    guards: [
      pathsGuard(),
      ...(options.prechecks === false ? [] : [precheckGuard(options.prechecks ?? {})]),
      ...(options.backup === false ? [] : [backupGuard()]),
      stepTransactionGuard({ outside: options.commit === 'file' ? ['003_ingest_logs'] : [] }),
    ],
    // A rehearsal's target writes through its transaction; its run lock stays on the caller's knex.
    ledger: (target) => postgresLedger(target.knex, options.ledgerTable, rehearsalOrigin(target)),
    describe: describeTarget,
    scaffold: scaffoldTelemetryMigration,
    // The legacy folder, as the ./testing harness loads a case's before/ (the database starts empty).
    capture: async (target, dir) => writeFixture({ files: await readTargetFiles(target), tables: {} }, dir),
    // `tidemark rehearse`: the plan in one transaction on the real database, rolled back.
    rehearse: (target) => openTelemetryRehearsal(target, () => full),
  });
  const full: TelemetryPlugin = {
    ...plugin,
    // Read by the tidemark CLI after every run (its generic report hook); also callable directly.
    async report(target) {
      const data = await runbookReport(target, {
        ledger: postgresLedger(target.knex, options.ledgerTable),
        ...(options.prechecks ? { prechecks: options.prechecks } : {}),
        dualWrite: { mirrorEnabled: envFlag()() },
        ...(options.timezone ? { timezone: options.timezone } : {}),
      });
      return { text: formatRunbook(data), data };
    },
  };
  return full;
}
