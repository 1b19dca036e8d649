// `define*` helpers: type inference for plugin authors, and the checks that belong at definition time.
import { checksumOf, legacyChecksumOf } from './checksum.js';
import type { Guard, Migration, Plugin, Trait } from './contract.js';
import { orderMigrations } from './dag.js';
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
  const previous = definition.previousChecksums;
  if (previous !== undefined && (!Array.isArray(previous) || previous.some((c) => typeof c !== 'string' || c === ''))) {
    throw new TidemarkError(
      'INVALID_DEFINITION',
      `migration "${definition.id}": previousChecksums must be a list of non-empty checksum strings`,
    );
  }
  const parts = {
    id: definition.id,
    requires: definition.requires,
    revision: definition.revision,
    functions: [definition.up, definition.down, definition.validate],
  };
  const checksum = definition.checksum ?? checksumOf(parts);
  // What release 0.1 recorded for this very definition (its checksum normalised less) is no drift either.
  const legacy = definition.checksum === undefined ? legacyChecksumOf(parts) : checksum;
  const previousChecksums = [
    ...(previous ?? []),
    ...(legacy === checksum || previous?.includes(legacy) ? [] : [legacy]),
  ];
  return Object.freeze({
    ...definition,
    requires: definition.requires ?? [],
    checksum,
    ...(previousChecksums.length === 0 ? {} : { previousChecksums: Object.freeze(previousChecksums) }),
  });
}

export function defineTrait<T>(definition: Trait<T>): Trait<T> {
  if (!ID.test(definition.id)) {
    throw new TidemarkError('INVALID_DEFINITION', `trait id "${definition.id}" must match ${ID}`);
  }
  return Object.freeze({ ...definition });
}

export function defineGuard<T>(definition: Guard<T>): Guard<T> {
  if (!definition.aroundRun && !definition.aroundStep && !definition.preflight) {
    throw new TidemarkError(
      'INVALID_DEFINITION',
      `guard "${definition.name}" does nothing: give it preflight, aroundRun and/or aroundStep`,
    );
  }
  return Object.freeze({ ...definition });
}

/** Checks ids are unique, every `requires` names a known migration and there is no cycle, and traits fix known ids. */
export function definePlugin<T>(plugin: Plugin<T>): Plugin<T> {
  const ids = new Set(orderMigrations(plugin.migrations, plugin.name).map((m) => m.id));
  for (const t of plugin.traits ?? []) {
    for (const f of t.fixes) {
      if (!ids.has(f)) {
        throw new TidemarkError('UNKNOWN_MIGRATION', `trait "${t.id}" names unknown migration "${f}"`, {
          plugin: plugin.name,
        });
      }
    }
  }
  return plugin;
}
