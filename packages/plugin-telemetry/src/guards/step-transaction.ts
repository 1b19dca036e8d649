// Each step is one transaction (PostgreSQL has transactional DDL): the guard opens it around the step and
// its validator, and everything the migrations write goes through it (`db(target)` finds it in the async
// call chain). A failure anywhere in the step, even after its work, rolls all of that step back, so the
// target holds exactly the steps the ledger lists as applied. With `commit: 'file'` the ingest step is left
// outside: each file then commits on its own (resumable for very large histories; see README).
import { AsyncLocalStorage } from 'node:async_hooks';
import { defineGuard, type Guard } from '@tidemark/core';
import type { Knex } from 'knex';
import type { TelemetryTarget } from '../target.js';

interface Active {
  target: TelemetryTarget;
  trx: Knex.Transaction;
}

const active = new AsyncLocalStorage<Active>();

/** The knex to write through: the open step transaction on this target, else the caller's knex. */
export function db(target: TelemetryTarget): Knex {
  const a = active.getStore();
  return a && a.target === target ? a.trx : target.knex;
}

/** True when `db(target)` is a transaction (nested work must use savepoints, not BEGIN/COMMIT). */
export function inStepTransaction(target: TelemetryTarget): boolean {
  const a = active.getStore();
  return a !== undefined && a.target === target;
}

export function stepTransactionGuard(options: { outside?: readonly string[] } = {}): Guard<TelemetryTarget> {
  const outside = new Set(options.outside ?? []);
  return defineGuard<TelemetryTarget>({
    name: 'step-transaction',
    async aroundStep(ctx, next) {
      if (outside.has(ctx.migrationId)) return next();
      try {
        await ctx.target.knex.transaction(async (trx) => {
          await active.run({ target: ctx.target, trx }, next);
        });
      } catch (error) {
        ctx.emit('rolled-back', { migration: ctx.migrationId, direction: ctx.direction });
        throw error;
      }
      ctx.emit('committed', { migration: ctx.migrationId, direction: ctx.direction });
    },
  });
}

/**
 * What a migration's SQL runs through: the step's open transaction (the caller's knex outside a step, e.g.
 * under `commit: 'file'`). A second connection would wait on locks the step's own transaction holds.
 */
export function transactionOf(ctx: { readonly target: TelemetryTarget }): Knex {
  return db(ctx.target);
}
