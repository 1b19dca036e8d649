// What a SQL plugin's rehearsal reports once its plan ran inside the transaction that will be rolled back:
// tables created or dropped, rows inserted/updated/deleted per table, and the validators' verdict on the
// rehearsed state. Each plugin counts rows its own way (PostgreSQL statistics, SQLite rowids); the report
// reads the same for all of them.
import { createRunner, describeError, type ChangeSummary, type Plugin } from '@tidemark/core';

export interface TableRowCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

export interface RehearsalDiffInput<T> {
  /** Table names before the plan ran, and after (inside the transaction). */
  before: readonly string[];
  after: readonly string[];
  perTable: ReadonlyMap<string, TableRowCounts>;
  plugin: Plugin<T>;
  /** The rehearsal's target: the validators run on it, inside the transaction. */
  target: T;
}

export async function rehearsalDiff<T>(input: RehearsalDiffInput<T>): Promise<ChangeSummary> {
  const { before, after, perTable } = input;
  const changes: ChangeSummary['changes'] = [];
  for (const name of [...new Set([...before, ...after])].sort()) {
    const c = perTable.get(name) ?? { inserted: 0, updated: 0, deleted: 0 };
    const rows = `${c.inserted} inserted, ${c.updated} updated, ${c.deleted} deleted`;
    if (!before.includes(name)) changes.push({ kind: 'added', path: name, detail: `table created; ${rows}` });
    else if (!after.includes(name)) changes.push({ kind: 'removed', path: name, detail: 'table dropped' });
    else if (c.inserted + c.updated + c.deleted > 0) changes.push({ kind: 'changed', path: name, detail: rows });
  }
  let validators: string;
  try {
    const report = await createRunner({ plugin: input.plugin, target: input.target }).verify();
    const issues = report.validation.flatMap((v) =>
      v.issues.map((i) => `${v.id}: ${i.message}${i.where ? ` (${i.where})` : ''}`),
    );
    validators =
      issues.length === 0 ? 'validators pass' : `validators found ${issues.length} issue(s): ${issues.join('; ')}`;
  } catch (error) {
    validators = `validators could not run: ${describeError(error)}`;
  }
  const tables = changes.map((c) => `${c.path}: ${c.detail}`).join('; ');
  changes.push({ kind: 'changed', path: 'validators', detail: validators });
  return { summary: `${tables === '' ? 'no table changed' : tables}; ${validators} (rolled back)`, changes };
}
