import { defineMigration, type Migration } from '@tidemark/core';
import type { Config } from '../options.js';
import { classify, viewSheet } from '../inspect.js';
import type { SheetsTarget } from '../target.js';
import { ADD_COLUMNS_STEP } from './002_add_v3_columns.js';

export const VERIFY_SCHEMA_STEP = '003_verify_schema';

/** Seed step 3: row 1 holds exactly the 65 v2.1 headers followed by the three v3.0 headers. Writes nothing. */
export function verifySchema(config: Config): Migration<SheetsTarget> {
  const check = async (target: SheetsTarget) => {
    const c = classify(await viewSheet(target), config.schema);
    return c.shape === 'v3.0' ? [] : [...c.problems.map((message) => ({ message, where: `${target.sheetName}!1:1` })), ...(c.problems.length ? [] : [{ message: 'row 1 has the v2.1 headers only: the v3.0 columns are missing', where: `${target.sheetName}!1:1` }])];
  };
  return defineMigration<SheetsTarget>({
    id: VERIFY_SCHEMA_STEP,
    title: 'Verify the v3.0 schema (68 headers in order)',
    requires: [ADD_COLUMNS_STEP],
    async up(ctx) {
      const issues = await check(ctx.target);
      if (issues.length > 0) throw new Error(`schema is not v3.0: ${issues.map((i) => i.message).join('; ')}`);
    },
    async down() {
      // Nothing was written by this step.
    },
    validate: async (ctx) => check(ctx.target),
  });
}
