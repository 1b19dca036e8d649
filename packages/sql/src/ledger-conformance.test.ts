// The ledger/lock conformance suite every Tidemark ledger runs, on each client and lock this kit offers.
import { describeLedgerConformance } from '@tidemark/testing';
import { knexExecutor, typeormExecutor } from './executor.js';
import { sqlLedger } from './ledger.js';
import { createPgDatabase, sqljsDataSource } from './test/databases.js';

describeLedgerConformance('sqlLedger on PostgreSQL through knex, advisory lock (two pools)', async () => {
  const db = await createPgDatabase();
  const ledger = (k = db.knex()) => sqlLedger({ executor: knexExecutor(k), table: 'tidemark_app_ledger' });
  return { ledger: ledger(), other: ledger(), cleanup: () => db.drop() };
});

describeLedgerConformance('sqlLedger on PostgreSQL through knex, lease-row lock (two pools)', async () => {
  const db = await createPgDatabase();
  const ledger = (k = db.knex()) =>
    sqlLedger({ executor: knexExecutor(k), table: 'tidemark_app_ledger', lock: 'lease-row' });
  return { ledger: ledger(), other: ledger(), cleanup: () => db.drop() };
});

describeLedgerConformance('sqlLedger on PostgreSQL through TypeORM, advisory lock (two DataSources)', async () => {
  const db = await createPgDatabase();
  const ledger = async () => sqlLedger({ executor: typeormExecutor(await db.typeorm()), table: 'tidemark_app_ledger' });
  return { ledger: await ledger(), other: await ledger(), cleanup: () => db.drop() };
});

describeLedgerConformance('sqlLedger on SQLite (sql.js) through TypeORM, lease-row lock', async () => {
  const ds = await sqljsDataSource();
  return {
    ledger: sqlLedger({ executor: typeormExecutor(ds), table: 'tidemark_app_ledger' }),
    cleanup: () => ds.destroy(),
  };
});
