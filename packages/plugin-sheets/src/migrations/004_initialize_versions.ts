import { defineMigration, type Migration } from '@tidemark/core';
import type { Config } from '../options.js';
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
    async down(ctx) {
      if (await clearVersions(ctx.target)) ctx.log('version cells cleared');
    },
  });
}
