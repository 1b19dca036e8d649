// The names of the three bookkeeping tables: the ledger, checkpoints (batch cursors) and the lease lock.
// They are created by the first write (@tidemark/sql), never on read: a start with nothing pending only reads.
// Default names are the plugin's own (`tidemark_snapshots_ledger`...), so it shares a database with any other
// plugin; 0.1's `tidemark_ledger` / `tidemark_checkpoints` are read until the first write upgrades them.
import { createError } from '@tidemark/core';
export interface LedgerTables {
  readonly ledger: string;
  readonly checkpoints: string;
  readonly lock: string;
  /** The ledger and checkpoint tables 0.1 wrote with the same option. */
  readonly legacy: { readonly ledger: string; readonly checkpoints: string };
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

export function ledgerTables(prefix?: string): LedgerTables {
  if (prefix !== undefined && (!IDENT.test(prefix) || prefix.length > 40)) {
    throw createError(
      'plugin-snapshots',
      `option "ledgerPrefix" ("${prefix}") must match ${IDENT} and be at most 40 characters`,
    );
  }
  if (prefix === undefined) {
    const ledger = 'tidemark_snapshots_ledger';
    return {
      ledger,
      checkpoints: `${ledger}_checkpoints`,
      lock: `${ledger}_lock`,
      legacy: { ledger: 'tidemark_ledger', checkpoints: 'tidemark_checkpoints' },
    };
  }
  const names = { ledger: `${prefix}_ledger`, checkpoints: `${prefix}_checkpoints`, lock: `${prefix}_lock` };
  return { ...names, legacy: { ledger: names.ledger, checkpoints: names.checkpoints } };
}
