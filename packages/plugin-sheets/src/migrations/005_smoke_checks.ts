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
      // A sheet found already at v3.0 (002 baselined) is adopted: the app may have taken spools since, so the
      // checks are the audit's (well-formed versions and occupation), and the entry says it was adopted.
      const adopted = ctx.target.session.adopted;
      const report = await runChecks(ctx.target, config, adopted === undefined);
      ctx.log(adopted ? 'verification report (sheet adopted at v3.0: audit checks)' : 'verification report', { report });
      // On the applied entry, or on the failed one when a check fails: the ledger says which checks passed.
      ctx.record({
        success: report.success,
        checks: Object.fromEntries(Object.entries(report.checks).map(([k, v]) => [k, v.passed])),
        ...(adopted ? { adopted: true, evidence: adopted } : {}),
      });
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
