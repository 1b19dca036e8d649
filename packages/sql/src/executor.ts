// The little the ledger, the locks and the generic plugins need from a SQL client. The app passes its own
// client (kysely style); adapters are duck-typed so this package never loads knex or typeorm itself.
import type { Knex } from 'knex';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { sqlError } from './errors.js';

export type SqlDialect = 'postgres' | 'sqlite';

export type Row = Record<string, unknown>;

/**
 * Runs statements on one database. Placeholders are `?` in every dialect (the adapter rewrites them for its
 * driver), so the ledger writes one SQL text for all of them.
 */
export interface SqlExecutor {
  readonly dialect: SqlDialect;
  /** One statement; the rows it returns (none for most writes). */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** `fn` inside one transaction on one connection (a savepoint when this executor is already in one). */
  transaction<R>(fn: (tx: SqlExecutor) => Promise<R>): Promise<R>;
  /** True while statements run inside an open transaction (a failed statement then aborts it on PostgreSQL). */
  inTransaction(): boolean;
  /**
   * A new connection of its own, outside any pool and transaction, for a PostgreSQL session lock. Absent
   * where there is none (SQLite, PGlite): the lease-row lock is used there.
   */
  session?(): Promise<SqlSession>;
}

/** A dedicated PostgreSQL session; its SQL uses the server's own `$1` placeholders. */
export interface SqlSession {
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** `?` placeholders to `$1, $2, ...`; the SQL this package writes has no `?` inside literals. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// ---------------------------------------------------------------------------------------------------- knex

interface PgRawConnection {
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

function knexDialect(knex: Knex): SqlDialect {
  const client = knex.client as {
    dialect?: string;
    driverName?: string;
    config?: { client?: unknown };
    pglite?: unknown;
  };
  const name = String(client.dialect ?? client.driverName ?? '');
  if (client.pglite !== undefined || /^(pg|postgres|postgresql|pgnative|cockroachdb)$/i.test(name)) return 'postgres';
  if (/sqlite/i.test(name)) return 'sqlite';
  const configured = client.config?.client;
  if (typeof configured === 'function' && /pglite|postgres/i.test(configured.name)) return 'postgres';
  throw sqlError(
    'NOT_SUPPORTED',
    `knex client "${name || String(configured)}" is not supported (pg, sqlite3, better-sqlite3)`,
  );
}

function isPGlite(knex: Knex): boolean {
  const client = knex.client as { pglite?: unknown; config?: { client?: unknown } };
  const c = client.config?.client;
  return client.pglite !== undefined || (typeof c === 'function' && /pglite/i.test(c.name));
}

function knexRows(result: unknown): Row[] {
  // pg: { rows }; sqlite3 / better-sqlite3: an array of rows.
  if (Array.isArray(result)) return result as Row[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? (rows as Row[]) : [];
}

/**
 * An executor on the app's Knex instance (or a Knex.Transaction: statements then run in it). PostgreSQL
 * (pg, knex-pglite) and SQLite (sqlite3, better-sqlite3).
 */
export function knexExecutor(knex: Knex, options: { dialect?: SqlDialect } = {}): SqlExecutor {
  const dialect = options.dialect ?? knexDialect(knex);
  const inTrx = (knex as unknown as { isTransaction?: boolean }).isTransaction === true;
  const executor: SqlExecutor = {
    dialect,
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []) {
      return knexRows(await knex.raw(sql, params as Knex.RawBinding[])) as R[];
    },
    async transaction(fn) {
      return knex.transaction((trx) => fn(knexExecutor(trx, { dialect })));
    },
    inTransaction: () => inTrx,
  };
  if (dialect === 'postgres' && !isPGlite(knex) && !inTrx) {
    const client = knex.client as {
      acquireRawConnection(): Promise<PgRawConnection>;
      destroyRawConnection(c: PgRawConnection): Promise<void>;
    };
    executor.session = async () => {
      const conn = await client.acquireRawConnection();
      // The server may end an idle session with FATAL; without a listener that would crash the process.
      conn.on('error', () => undefined);
      return {
        async query(sql, params = []) {
          return (await conn.query(sql, params as unknown[])).rows;
        },
        async close() {
          await client.destroyRawConnection(conn).catch(() => undefined);
        },
      };
    };
  }
  return executor;
}

// ------------------------------------------------------------------------------------------------- typeorm

function typeormDialect(ds: DataSource): SqlDialect {
  const type = ds.options.type;
  if (type === 'postgres') return 'postgres';
  if (type === 'sqljs' || type === 'sqlite' || type === 'better-sqlite3') return 'sqlite';
  throw sqlError(
    'NOT_SUPPORTED',
    `DataSource type "${type}" is not supported (postgres, sqljs, sqlite, better-sqlite3)`,
  );
}

function typeormRows(result: unknown): Row[] {
  // PostgreSQL answers a write with [rows, count]; a SELECT (and every SQLite statement) with the rows.
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as Row[];
  return Array.isArray(result) ? (result as Row[]) : [];
}

/** What `typeormExecutor` needs: a DataSource, or an EntityManager (its transaction's when it has one). */
export type TypeormClient = DataSource | EntityManager;

function isEntityManager(client: TypeormClient): client is EntityManager {
  return (client as EntityManager).connection !== undefined && (client as DataSource).manager === undefined;
}

/**
 * An executor on the app's initialized TypeORM DataSource (postgres, sqljs, sqlite, better-sqlite3), or on
 * an EntityManager (a transaction's manager: statements then run in that transaction).
 */
export function typeormExecutor(
  client: TypeormClient,
  options: { dialect?: SqlDialect; runner?: () => QueryRunner | undefined } = {},
): SqlExecutor {
  const ds = isEntityManager(client) ? client.connection : client;
  const dialect = options.dialect ?? typeormDialect(ds);
  const fixed = isEntityManager(client) ? client.queryRunner : undefined;
  const runner = () => fixed ?? options.runner?.();
  const executor: SqlExecutor = {
    dialect,
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []) {
      const text = dialect === 'postgres' ? numbered(sql) : sql;
      const r = runner();
      return typeormRows(
        r ? await r.query(text, params as unknown[]) : await ds.query(text, params as unknown[]),
      ) as R[];
    },
    async transaction(fn) {
      const r = runner();
      if (r?.isTransactionActive) {
        // TypeORM nests with a savepoint on the same query runner.
        await r.startTransaction();
        try {
          const result = await fn(typeormExecutor(r.manager, { dialect }));
          await r.commitTransaction();
          return result;
        } catch (error) {
          await r.rollbackTransaction();
          throw error;
        }
      }
      return ds.transaction((manager) => fn(typeormExecutor(manager, { dialect })));
    },
    inTransaction: () => runner()?.isTransactionActive === true,
  };
  if (dialect === 'postgres') {
    executor.session = async () => {
      const qr = ds.createQueryRunner();
      await qr.connect();
      return {
        async query(sql, params = []) {
          const result = (await qr.query(sql, params as unknown[], true)) as { records?: Row[] };
          return result.records ?? [];
        },
        async close() {
          // Released with an error, the pool drops the connection instead of reusing a session whose
          // settings (timeouts, name) were the lock's.
          const pg = qr as QueryRunner & { releasePostgresConnection?(error?: Error): Promise<void> };
          if (pg.releasePostgresConnection)
            await pg.releasePostgresConnection(new Error('tidemark lock session closed')).catch(() => undefined);
          else await qr.release().catch(() => undefined);
        },
      };
    };
  }
  return executor;
}
