// What the kit promises beyond the conformance suite: a start with nothing pending is one statement and no
// DDL; table names are checked; a read inside an open PostgreSQL transaction never aborts it.
import { afterEach, describe, expect, it } from 'vitest';
import { knexExecutor, typeormExecutor, type SqlExecutor } from './executor.js';
import { sqlLedger } from './ledger.js';
import { createPgDatabase, sqljsDataSource, type PgDatabase } from './test/databases.js';

/** The executor, with every statement it runs written down. */
function recording(inner: SqlExecutor): { executor: SqlExecutor; statements: string[] } {
  const statements: string[] = [];
  const wrap = (ex: SqlExecutor): SqlExecutor => ({
    ...ex,
    query: (sql, params) => {
      statements.push(sql.replace(/\s+/g, ' ').trim());
      return ex.query(sql, params);
    },
    transaction: (fn) => ex.transaction((tx) => fn(wrap(tx))),
    inTransaction: () => ex.inTransaction(),
  });
  return { executor: wrap(inner), statements };
}

const entry = {
  id: '001_a',
  checksum: 'c',
  outcome: 'applied' as const,
  at: '2026-01-02T03:04:05.000Z',
  durationMs: 1,
  by: 'me@host:1',
  runId: 'r',
};

describe('sqlLedger on PostgreSQL', () => {
  let db: PgDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('reads a missing ledger in one statement, creates nothing, and reads an existing one in one statement', async () => {
    db = await createPgDatabase();
    const knex = db.knex();
    const { executor, statements } = recording(knexExecutor(knex));
    const ledger = sqlLedger({ executor, table: 'tidemark_app_ledger' });
    expect(await ledger.read()).toEqual([]);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^SELECT .* FROM tidemark_app_ledger ORDER BY seq$/);
    const tables = await knex.raw<{ rows: unknown[] }>(
      `SELECT 1 FROM information_schema.tables WHERE table_name LIKE 'tidemark%'`,
    );
    expect(tables.rows, 'no table created by a read').toEqual([]);
    expect(await ledger.checkpoints.load('001_a')).toBeNull();
    await ledger.remove('nothing-there');

    await ledger.record(entry);
    statements.length = 0;
    const again = sqlLedger({ executor, table: 'tidemark_app_ledger' });
    expect(await again.read()).toEqual([entry]);
    expect(statements).toHaveLength(1);
  });

  it('a read inside an open transaction on a missing table leaves that transaction usable', async () => {
    db = await createPgDatabase();
    const knex = db.knex();
    await knex.transaction(async (trx) => {
      const ledger = sqlLedger({ executor: knexExecutor(trx), table: 'tidemark_app_ledger', lock: 'lease-row' });
      expect(await ledger.read()).toEqual([]);
      expect(await ledger.checkpoints.load('x')).toBeNull();
      await ledger.record(entry);
      expect(await ledger.read()).toEqual([entry]);
    });
    expect(await sqlLedger({ executor: knexExecutor(knex), table: 'tidemark_app_ledger' }).read()).toEqual([entry]);
  });

  it('keeps two ledgers in one database apart', async () => {
    db = await createPgDatabase();
    const ex = typeormExecutor(await db.typeorm());
    const a = sqlLedger({ executor: ex, table: 'tidemark_a_ledger' });
    const b = sqlLedger({ executor: ex, table: 'tidemark_b_ledger' });
    await a.record(entry);
    await b.record({ ...entry, id: '001_b' });
    expect((await a.read()).map((e) => e.id)).toEqual(['001_a']);
    expect((await b.read()).map((e) => e.id)).toEqual(['001_b']);
  });

  it('refuses a table that is not a ledger, naming it', async () => {
    db = await createPgDatabase();
    const knex = db.knex();
    await knex.raw('CREATE TABLE users (id int PRIMARY KEY, seq int)');
    const ledger = sqlLedger({ executor: knexExecutor(knex), table: 'users', option: 'ledgerTable' });
    await expect(ledger.read()).rejects.toThrow(/table "users" exists but is not a Tidemark ledger.*"ledgerTable"/);
    await expect(ledger.record(entry)).rejects.toThrow(/table "users" exists but is not a Tidemark ledger/);
  });
});

describe('sqlLedger on SQLite (sql.js)', () => {
  it('reads a missing ledger in one statement and creates nothing', async () => {
    const ds = await sqljsDataSource();
    try {
      const { executor, statements } = recording(typeormExecutor(ds));
      expect(await sqlLedger({ executor, table: 'tidemark_app_ledger' }).read()).toEqual([]);
      expect(statements).toHaveLength(1);
      expect(await ds.query(`SELECT name FROM sqlite_master WHERE type = 'table'`)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });
});

describe('table names', () => {
  const executor = {
    dialect: 'postgres' as const,
    query: async () => [],
    transaction: async () => undefined as never,
    inTransaction: () => false,
  };
  it.each([['x; DROP TABLE users'], ['Ledger'], ['1ledger'], [''], ['a'.repeat(60)], ['"quoted"']])(
    'refuses %j, naming the option',
    (name) => {
      expect(() => sqlLedger({ executor, table: name, option: 'ledgerTable' })).toThrow(
        /\[tidemark\] \[sql\] option "ledgerTable" must be a table name/,
      );
    },
  );
  it('accepts a plain identifier', () => {
    expect(sqlLedger({ executor, table: 'tidemark_app_ledger', lock: 'lease-row' }).table).toBe('tidemark_app_ledger');
  });
});
