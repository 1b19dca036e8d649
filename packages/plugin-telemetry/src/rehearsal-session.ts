// The plugin's `rehearse()` hook (what `tidemark rehearse` and core's runner.rehearse() call): the whole plan,
// guards, ledger entries and validators included, runs on a target whose knex is ONE open transaction on the
// real database, rolled back on dispose. Steps nest in it as savepoints (the step guard's knex.transaction on
// a transaction), and the ingest sees a transaction so it adds no BEGIN/COMMIT of its own. The diff counts
// rows inserted, updated and deleted per table from the transaction's own statistics and runs the validators
// on the rehearsed state. Outside the transaction only the run lock (a session of its own, so a real runner
// waits while a rehearsal runs); the backup guard writes no tarball for a rehearsal.
import type { ChangeSummary, Plugin, RehearsalSession } from '@tidemark/core';
import { rehearsalDiff, type TableRowCounts } from '@tidemark/sql';
import type { Knex } from 'knex';
import type { TelemetryTarget } from './target.js';

/** A rehearsal target -> the caller's knex it was opened on (the run lock lives there). */
const origins = new WeakMap<TelemetryTarget, Knex>();

/** The caller's knex when `target` is a rehearsal's, else undefined. */
export function rehearsalOrigin(target: TelemetryTarget): Knex | undefined {
  return origins.get(target);
}

async function tables(trx: Knex.Transaction): Promise<string[]> {
  const rows = (await trx.raw(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`,
  )) as { rows: { name: string }[] };
  return rows.rows.map((r) => r.name);
}

async function counts(trx: Knex.Transaction): Promise<Map<string, TableRowCounts>> {
  const out = new Map<string, TableRowCounts>();
  const rows = (await trx.raw(
    `SELECT relname AS name, n_tup_ins AS i, n_tup_upd AS u, n_tup_del AS d FROM pg_stat_xact_user_tables WHERE schemaname = current_schema()`,
  )) as { rows: { name: string; i: string; u: string; d: string }[] };
  for (const r of rows.rows) out.set(r.name, { inserted: Number(r.i), updated: Number(r.u), deleted: Number(r.d) });
  return out;
}

export async function openTelemetryRehearsal(
  target: TelemetryTarget,
  plugin: () => Plugin<TelemetryTarget>,
): Promise<RehearsalSession<TelemetryTarget>> {
  const trx = await target.knex.transaction();
  // A rollback settles the transaction's promise; nobody else awaits it.
  trx.executionPromise.catch(() => undefined);
  const copy: TelemetryTarget = { ...target, knex: trx };
  origins.set(copy, target.knex);
  const before = await tables(trx);
  return {
    target: copy,
    async diff(): Promise<ChangeSummary> {
      const after = await tables(trx);
      return rehearsalDiff({ before, after, perTable: await counts(trx), plugin: plugin(), target: copy });
    },
    async dispose() {
      if (!trx.isCompleted()) await trx.rollback();
    },
  };
}
