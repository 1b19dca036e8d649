// `define*` helpers: type inference for plugin authors, and the checks that belong at definition time.
import { checksumOf } from './checksum.js';
import type { Guard, Ledger, Migration, Plugin, Trait } from './contract.js';
import { TidemarkError } from './errors.js';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export type MigrationDefinition<T> = Omit<Migration<T>, 'checksum'> & { checksum?: string };

export function defineMigration<T>(definition: MigrationDefinition<T>): Migration<T> {
  if (!ID.test(definition.id)) {
    throw new TidemarkError('INVALID_DEFINITION', `migration id "${definition.id}" must match ${ID}`);
  }
  if (!definition.title.trim()) {
    throw new TidemarkError('INVALID_DEFINITION', `migration "${definition.id}" needs a title`);
  }
  const checksum =
    definition.checksum ??
    checksumOf({
      id: definition.id,
      requires: definition.requires,
      revision: definition.revision,
      functions: [definition.up, definition.down, definition.validate],
    });
  return Object.freeze({ ...definition, requires: definition.requires ?? [], checksum });
}

export function defineTrait<T>(definition: Trait<T>): Trait<T> {
  if (!ID.test(definition.id)) {
    throw new TidemarkError('INVALID_DEFINITION', `trait id "${definition.id}" must match ${ID}`);
  }
  return Object.freeze({ ...definition });
}

export function defineGuard<T>(definition: Guard<T>): Guard<T> {
  if (!definition.aroundRun && !definition.aroundStep && !definition.preflight) {
    throw new TidemarkError('INVALID_DEFINITION', `guard "${definition.name}" does nothing: give it preflight, aroundRun and/or aroundStep`);
  }
  return Object.freeze({ ...definition });
}

export function defineLedger(ledger: Ledger): Ledger {
  return ledger;
}

/** Checks ids are unique and every `requires` / `fixes` names a known migration. */
export function definePlugin<T>(plugin: Plugin<T>): Plugin<T> {
  const ids = new Set<string>();
  for (const m of plugin.migrations) {
    if (ids.has(m.id)) {
      throw new TidemarkError('DUPLICATE_MIGRATION', `migration id "${m.id}" is defined twice`, { plugin: plugin.name });
    }
    ids.add(m.id);
  }
  for (const m of plugin.migrations) {
    for (const r of m.requires ?? []) {
      if (!ids.has(r)) {
        throw new TidemarkError('UNKNOWN_MIGRATION', `requires unknown migration "${r}"`, { plugin: plugin.name, migration: m.id });
      }
    }
  }
  for (const t of plugin.traits ?? []) {
    for (const f of t.fixes) {
      if (!ids.has(f)) {
        throw new TidemarkError('UNKNOWN_MIGRATION', `trait "${t.id}" names unknown migration "${f}"`, { plugin: plugin.name });
      }
    }
  }
  return plugin;
}
