// A migration's SQL runs through its step's transaction, never a second connection: a second connection
// would wait on locks the step's own transaction holds (a self-deadlock under any commit mode). The step
// guard keeps the open transaction in AsyncLocalStorage per target; `transactionOf(ctx)` hands it out.
import { AsyncLocalStorage } from 'node:async_hooks';
import { defineGuard, type Guard, type MigrationContext } from '@tidemark/core';
import type { Knex } from 'knex';
import type { DataSource, EntityManager } from 'typeorm';

interface Active {
  target: object;
  tx: Knex.Transaction | EntityManager;
}

const active = new AsyncLocalStorage<Active>();

/** The transaction open on `target` in this call chain, if any. */
export function activeTransaction(target: object): Knex.Transaction | EntityManager | undefined {
  const a = active.getStore();
  return a && a.target === target ? a.tx : undefined;
}

function isDataSource(target: object): target is DataSource {
  return typeof (target as DataSource).createQueryRunner === 'function' && (target as DataSource).manager !== undefined;
}

/**
 * What a migration writes through: its step's transaction (knex: the Knex.Transaction; TypeORM: its
 * EntityManager), or the client itself outside a step (e.g. a validator run by `verify`).
 */
export function transactionOf(ctx: MigrationContext<Knex>): Knex;
export function transactionOf(ctx: MigrationContext<DataSource>): EntityManager;
export function transactionOf(ctx: { readonly target: Knex | DataSource }): Knex | EntityManager {
  const tx = activeTransaction(ctx.target);
  if (tx) return tx;
  return isDataSource(ctx.target) ? ctx.target.manager : ctx.target;
}

/** Each step (and its validator) in one transaction; PostgreSQL and SQLite both roll DDL back with it. */
export function knexStepTransaction(): Guard<Knex> {
  return defineGuard<Knex>({
    name: 'step-transaction',
    async aroundStep(ctx, next) {
      try {
        await ctx.target.transaction((trx) => active.run({ target: ctx.target, tx: trx }, next));
      } catch (error) {
        ctx.emit('rolled-back', { migration: ctx.migrationId, direction: ctx.direction });
        throw error;
      }
      ctx.emit('committed', { migration: ctx.migrationId, direction: ctx.direction });
    },
  });
}

export function typeormStepTransaction(): Guard<DataSource> {
  return defineGuard<DataSource>({
    name: 'step-transaction',
    async aroundStep(ctx, next) {
      try {
        await ctx.target.transaction((manager) => active.run({ target: ctx.target, tx: manager }, next));
      } catch (error) {
        ctx.emit('rolled-back', { migration: ctx.migrationId, direction: ctx.direction });
        throw error;
      }
      ctx.emit('committed', { migration: ctx.migrationId, direction: ctx.direction });
    },
  });
}
