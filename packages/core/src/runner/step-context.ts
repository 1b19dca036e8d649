// What a migration or validator sees: progress, logs, a checkpoint kept in the ledger, `record` for up.
import type { Migration, MigrationContext, ValidationIssue } from '../contract.js';
import { mergeEntryData, type EntryData } from '../entry-data.js';
import type { RunScope } from './scope.js';

/** `recorded` collects what an `up` attaches to its entry; without it (down, validate) `record` refuses. */
export function migrationContext<T>(
  scope: RunScope<T>,
  m: Migration<T>,
  direction: MigrationContext<T>['direction'],
  signal: AbortSignal,
  recorded?: Map<string, EntryData>,
): MigrationContext<T> {
  const { ledger, emit } = scope;
  const memory = new Map<string, unknown>();
  return {
    target: scope.target,
    targetLabel: scope.label,
    migrationId: m.id,
    direction,
    signal,
    progress: (done, total, note) =>
      emit({
        type: 'step:progress',
        migration: m.id,
        done,
        ...(total === undefined ? {} : { total }),
        ...(note === undefined ? {} : { note }),
      }),
    log: (message, data) => emit({ type: 'log', level: 'info', message, migration: m.id, ...(data ? { data } : {}) }),
    warn: (message, data) => emit({ type: 'log', level: 'warn', message, migration: m.id, ...(data ? { data } : {}) }),
    checkpoint: {
      load: async <C>() => {
        const data = ((ledger.checkpoints ? await ledger.checkpoints.load(m.id) : memory.get(m.id)) ??
          null) as C | null;
        if (data !== null) scope.checkpointed.add(m.id);
        return data;
      },
      save: async (data) => {
        scope.checkpointed.add(m.id);
        if (ledger.checkpoints) await ledger.checkpoints.save(m.id, data);
        else memory.set(m.id, data);
      },
      clear: async () => {
        if (ledger.checkpoints) await ledger.checkpoints.clear(m.id);
        else memory.delete(m.id);
      },
    },
    record: (data) => {
      if (!recorded)
        throw new Error(
          `ctx.record is only for up: ${direction === 'down' ? "down removes this step's ledger entry" : 'a validator never writes'}`,
        );
      recorded.set(m.id, mergeEntryData(recorded.get(m.id) ?? {}, data));
    },
  };
}

export async function validate<T>(
  scope: RunScope<T>,
  m: Migration<T>,
  signal: AbortSignal,
): Promise<ValidationIssue[]> {
  if (!m.validate) return [];
  const issues = (await m.validate(migrationContext(scope, m, 'validate', signal))) ?? [];
  scope.emit({ type: 'validation', migration: m.id, ok: issues.length === 0, issues });
  return issues;
}
