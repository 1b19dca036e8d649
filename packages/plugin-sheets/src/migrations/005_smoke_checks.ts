import { defineMigration, type Migration } from '@tidemark/core';
import { runChecks } from '../checks.js';
import type { Config } from '../options.js';
import type { SheetsTarget } from '../target.js';
import { INIT_VERSIONS_STEP } from './004_initialize_versions.js';

export const SMOKE_STEP = '005_smoke_checks';

/** Seed step 5: the seven verification checks, strict (right after the migration); the report goes to the ledger. */
export function smokeChecks(config: Config): Migration<SheetsTarget> {
  return defineMigration<SheetsTarget>({
    id: SMOKE_STEP,
    title: 'Smoke checks: the seven verification checks',
    requires: [INIT_VERSIONS_STEP],
    async up(ctx) {
      const report = await runChecks(ctx.target, config, true);
      ctx.log('verification report', { report });
      // On the applied entry, or on the failed one when a check fails: the ledger says which checks passed.
      ctx.record({ success: report.success, checks: Object.fromEntries(Object.entries(report.checks).map(([k, v]) => [k, v.passed])) });
      ctx.target.session.lastReport = report;
      if (!report.success) throw new Error(`verification failed:\n  - ${report.errors.join('\n  - ')}`);
    },
    async down() {
      // Nothing was written to the sheet by this step.
    },
    validate: async (ctx) => {
      const report = await runChecks(ctx.target, config, false);
      return report.errors.map((message) => ({ message, where: `${ctx.target.sheetName}` }));
    },
  });
}
