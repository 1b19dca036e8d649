// The three bookkeeping tables, created on first use: the ledger, checkpoints (batch cursors) and the lock.
import type { DataSource } from 'typeorm';
import type { Dialect } from './dialect.js';

export interface LedgerTables {
  readonly ledger: string;
  readonly checkpoints: string;
  readonly lock: string;
  ensure(): Promise<void>;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

export function ledgerTables(ds: DataSource, dialect: Dialect, prefix = 'tidemark'): LedgerTables {
  if (!IDENT.test(prefix)) throw new Error(`[tidemark] [snapshots] ledger table prefix "${prefix}" must match ${IDENT}`);
  const names = { ledger: `${prefix}_ledger`, checkpoints: `${prefix}_checkpoints`, lock: `${prefix}_lock` };
  const ddl = [
    `CREATE TABLE IF NOT EXISTS ${names.ledger} (id varchar(200) PRIMARY KEY, seq bigint NOT NULL, entry text NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${names.checkpoints} (migration_id varchar(200) PRIMARY KEY, data text NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${names.lock} (name varchar(50) PRIMARY KEY, token varchar(100) NOT NULL, host varchar(200) NOT NULL, pid integer NOT NULL, since varchar(40) NOT NULL, expires_at bigint NOT NULL)`,
  ];
  let ready: Promise<void> | undefined;
  const create = async () => {
    for (const statement of ddl) {
      try {
        await ds.query(statement);
      } catch (error) {
        // Two runners racing on CREATE TABLE IF NOT EXISTS in PostgreSQL: the loser sees a duplicate type.
        if (!/already exists|duplicate key/i.test(String(error))) throw error;
      }
    }
  };
  return {
    ...names,
    ensure() {
      // On SQLite the one connection may be inside a transaction that later rolls back (and takes the
      // tables with it), so check every time; it is a cheap no-op there. PostgreSQL creates them once.
      if (dialect === 'sqlite') return create();
      ready ??= create().catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      return ready;
    },
  };
}
