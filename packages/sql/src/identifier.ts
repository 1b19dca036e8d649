// Table names are spliced into SQL, so only plain lower-case identifiers pass, short enough for PostgreSQL
// (63 bytes) once the `_checkpoints` / `_lock` suffixes are added.
import { sqlError } from './errors.js';

const IDENT = /^[a-z_][a-z0-9_]*$/;
const MAX = 63 - '_checkpoints'.length;

/** `name` when it is a safe SQL identifier; otherwise a clear error naming the option that gave it. */
export function checkIdentifier(name: unknown, option: string): string {
  if (typeof name !== 'string' || !IDENT.test(name) || name.length > MAX) {
    throw sqlError(
      'INVALID_DEFINITION',
      `option "${option}" must be a table name of lower-case letters, digits and underscores, starting with a letter or underscore, at most ${MAX} characters; got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** The default ledger table of a plugin: never the same for two plugins sharing one database. */
export function defaultLedgerTable(plugin: string): string {
  return checkIdentifier(`tidemark_${plugin.replace(/^plugin-/, '').replace(/[^a-z0-9]+/g, '_')}_ledger`, 'plugin');
}
