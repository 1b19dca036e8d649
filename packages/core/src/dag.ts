import type { Migration } from './contract.js';
import { TidemarkError } from './errors.js';

/**
 * Topological order of migrations by `requires`. Among migrations that are free at the same time the one
 * declared first goes first, so the order is stable across runs and machines.
 */
export function orderMigrations<T>(migrations: readonly Migration<T>[], plugin?: string): Migration<T>[] {
  const index = new Map<string, number>();
  migrations.forEach((m, i) => {
    if (index.has(m.id)) {
      throw new TidemarkError('DUPLICATE_MIGRATION', `migration id "${m.id}" is defined twice`, { plugin });
    }
    index.set(m.id, i);
  });
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const m of migrations) {
    indegree.set(m.id, (m.requires ?? []).length);
    for (const r of m.requires ?? []) {
      if (!index.has(r)) {
        throw new TidemarkError('UNKNOWN_MIGRATION', `requires unknown migration "${r}"`, { plugin, migration: m.id });
      }
      dependents.set(r, [...(dependents.get(r) ?? []), m.id]);
    }
  }
  const ready = migrations.filter((m) => indegree.get(m.id) === 0).map((m) => m.id);
  const order: Migration<T>[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => index.get(a)! - index.get(b)!);
    const id = ready.shift()!;
    order.push(migrations[index.get(id)!]!);
    for (const d of dependents.get(id) ?? []) {
      const left = indegree.get(d)! - 1;
      indegree.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  if (order.length !== migrations.length) {
    const cycle = findCycle(migrations);
    throw new TidemarkError('DAG_CYCLE', `migrations form a cycle (each requires the next): ${cycle.join(' -> ')}`, {
      plugin,
    });
  }
  return order;
}

function findCycle<T>(migrations: readonly Migration<T>[]): string[] {
  const byId = new Map(migrations.map((m) => [m.id, m]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const r of byId.get(id)?.requires ?? []) {
      const found = visit(r);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const m of migrations) {
    const found = visit(m.id);
    if (found) return found;
  }
  return [];
}
