// Refuses, before the lease or any write, a database that lacks the app's own recipe tables: the backfill
// reads them and the plugin never creates them, so the answer is one line naming what is missing instead of
// a failed step deep in the run.
import type { DataSource } from 'typeorm';
import { defineGuard } from '@tidemark/core';
import { missingAppTables, missingTablesMessage } from './inspect.js';

export const appTablesGuard = defineGuard<DataSource>({
  name: 'app-tables',
  async preflight(ctx) {
    const missing = await missingAppTables(ctx.target);
    if (missing.length > 0) throw new Error(missingTablesMessage(missing));
  },
});
