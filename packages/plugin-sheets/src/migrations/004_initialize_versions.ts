import { defineMigration, type Migration } from '@tidemark/core';
import { columnLetter } from '../a1.js';
import type { Config } from '../options.js';
import { classify, viewSheet } from '../inspect.js';
import type { SheetsTarget } from '../target.js';
import { clearVersions, initializeVersions } from '../versions.js';
import { VERIFY_SCHEMA_STEP } from './003_verify_schema.js';

export const INIT_VERSIONS_STEP = '004_initialize_versions';

/** Seed step 4: version = 0 for every existing spool (non-empty TAG_SPOOL); chunked, checkpointed, resumable. */
export function initVersions(config: Config): Migration<SheetsTarget> {
  return defineMigration<SheetsTarget>({
    id: INIT_VERSIONS_STEP,
    title: 'Initialize version = 0 for existing rows',
    requires: [VERIFY_SCHEMA_STEP],
    async up(ctx) {
      const { written, requests } = await initializeVersions(ctx, config);
      ctx.log(`version = 0 written to ${written} rows in ${requests} request(s)`, { written, requests });
    },
    // Every existing spool holds a version: an integer >= 0 (0 right after the step; the app bumps it later).
    async validate(ctx) {
      const view = await viewSheet(ctx.target);
      const c = classify(view, config.schema);
      if (c.shape !== 'v3.0') return [{ message: 'the version column is not in place', where: `${ctx.target.sheetName}!1:1` }];
      const letter = columnLetter(c.versionIndex);
      const bad = c.dataRows.filter((r) => {
        const v = view.values[r]?.[c.versionIndex];
        return !(typeof v === 'number' && Number.isInteger(v) && v >= 0);
      });
      return bad.slice(0, 20).map((r) => ({ message: `row ${r + 1} (${config.schema.key} ${String(view.values[r]?.[c.keyIndex] ?? '')}) has no valid version: ${JSON.stringify(view.values[r]?.[c.versionIndex] ?? null)}`, where: `${ctx.target.sheetName}!${letter}${r + 1}` }));
    },
    async down(ctx) {
      if (await clearVersions(ctx.target)) ctx.log('version cells cleared');
    },
  });
}
