// `commit: 'run'`: the whole run in one transaction (PostgreSQL and SQLite both have transactional DDL).
// A failure anywhere rolls everything back, ledger entries and cursors included, and reports `restored`.
import type { DataSource } from 'typeorm';
import { defineGuard } from '@tidemark/core';
import { inTransaction } from '../transaction.js';

export const runTransactionGuard = defineGuard<DataSource>({
  name: 'run-transaction',
  async aroundRun(ctx, next) {
    try {
      await inTransaction(ctx.target, async () => {
        ctx.emit('transaction-begin');
        await next();
      });
      ctx.emit('transaction-commit');
    } catch (error) {
      ctx.emit('transaction-rollback');
      ctx.restored();
      throw error;
    }
  },
});
