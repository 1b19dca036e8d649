// The tables plugin-snapshots 0.1 wrote (`tidemark_ledger` holding each entry as JSON, `tidemark_checkpoints`)
// are read as they are and upgraded in place on the first write: renamed to the plugin's own names (so it
// shares a database with telemetry and the app's own ledger) and converted to the one ledger schema, every
// entry and cursor kept. A start with nothing pending only reads: it never creates or alters a table.
import { createRunner, runPendingMigrations, type LedgerEntry } from '@tidemark/core';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from './connect.js';
import { typeormLedger } from './ledger.js';
import { snapshotsPlugin } from './plugin.js';
import { loadSampleData } from './sample-data.js';
import { loadState } from './state.js';
import { createPgDatabase, dialects, type TestDb } from './test/databases.js';

// The DDL of plugin-snapshots 0.1's ledger-tables.ts, as it created them.
const V01 = (prefix: string) => [
  `CREATE TABLE IF NOT EXISTS ${prefix}_ledger (id varchar(200) PRIMARY KEY, seq bigint NOT NULL, entry text NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${prefix}_checkpoints (migration_id varchar(200) PRIMARY KEY, data text NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${prefix}_lock (name varchar(50) PRIMARY KEY, token varchar(100) NOT NULL, host varchar(200) NOT NULL, pid integer NOT NULL, since varchar(40) NOT NULL, expires_at bigint NOT NULL)`,
];

const a: LedgerEntry = {
  id: '001_create_recipe_snapshots',
  checksum: 'c1',
  outcome: 'applied',
  at: '2026-01-02T03:04:05.000Z',
  durationMs: 7,
  by: 'ann@h:1',
  runId: 'r0',
  versionBefore: null,
};
const b: LedgerEntry = {
  ...a,
  id: '002_add_run_snapshot_link',
  note: 'n',
  snapshot: { guard: 'g', ref: 'r' },
  data: { k: [1, 'two'] },
};
const c: LedgerEntry = { ...a, id: '003_backfill_recipe_snapshots', outcome: 'failed', runId: 'r1', note: 'up: boom' };

async function writeV01(db: TestDb, prefix: string) {
  const p = db.ds.options.type === 'postgres' ? (n: number) => `$${n}` : () => '?';
  for (const statement of V01(prefix)) await db.ds.query(statement);
  for (const [i, e] of [a, b].entries())
    await db.ds.query(`INSERT INTO ${prefix}_ledger (id, seq, entry) VALUES (${p(1)}, ${p(2)}, ${p(3)})`, [
      e.id,
      i + 1,
      JSON.stringify(e),
    ]);
  await db.ds.query(`INSERT INTO ${prefix}_checkpoints (migration_id, data) VALUES (${p(1)}, ${p(2)})`, [
    '003_backfill_recipe_snapshots',
    JSON.stringify({ after: 40, batches: 2 }),
  ]);
}

async function tables(db: TestDb): Promise<string[]> {
  const rows: { name: string }[] =
    db.ds.options.type === 'postgres'
      ? await db.ds.query(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
        )
      : await db.ds.query(`SELECT name FROM sqlite_master WHERE type = 'table'`);
  return rows.map((r) => r.name).sort();
}

describe.each(dialects)('a 0.1 ledger on %s', (_name, open) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it('under the old default names is read as it is, then upgraded in place by the first write', async () => {
    db = await open();
    await writeV01(db, 'tidemark');
    const ledger = typeormLedger(db.ds);
    expect(await ledger.read()).toEqual([a, b]);
    expect(await ledger.checkpoints!.load('003_backfill_recipe_snapshots')).toEqual({ after: 40, batches: 2 });
    expect(await tables(db), 'reading changes nothing').toEqual([
      'tidemark_checkpoints',
      'tidemark_ledger',
      'tidemark_lock',
    ]);

    await ledger.record(c);
    expect(await typeormLedger(db.ds).read()).toEqual([a, b, c]);
    expect(await typeormLedger(db.ds).checkpoints!.load('003_backfill_recipe_snapshots')).toEqual({
      after: 40,
      batches: 2,
    });
    expect(await tables(db)).toEqual([
      'tidemark_lock',
      'tidemark_snapshots_ledger',
      'tidemark_snapshots_ledger_checkpoints',
    ]);
  });

  it('under an explicit ledgerPrefix is upgraded under the same names', async () => {
    db = await open();
    await writeV01(db, 'shop');
    const ledger = typeormLedger(db.ds, { prefix: 'shop' });
    expect(await ledger.read()).toEqual([a, b]);
    await ledger.remove(b.id);
    await ledger.record(c);
    expect(await typeormLedger(db.ds, { prefix: 'shop' }).read()).toEqual([a, c]);
    expect(await tables(db)).toEqual(['shop_checkpoints', 'shop_ledger', 'shop_lock']);
  });

  it('refuses a bad ledgerPrefix, naming the option', async () => {
    db = await open();
    const ds = db.ds;
    expect(() => snapshotsPlugin({ ledgerPrefix: 'x; DROP TABLE recipes' }).ledger(ds)).toThrow(
      /option "ledgerPrefix"/,
    );
  });
});

describe('a start with nothing pending on PostgreSQL', () => {
  it('only reads: it runs on a database where every write fails', async () => {
    const pg = await createPgDatabase();
    const ds = await openPostgres(pg.url, 2);
    try {
      await loadState(ds, await loadSampleData());
      expect((await createRunner({ plugin: snapshotsPlugin(), target: ds }).up()).applied).toHaveLength(4);
      await ds.destroy();
      const admin = await openPostgres(pg.url.replace(/\/[^/]+$/, '/postgres'), 1);
      await admin.query(`ALTER DATABASE ${pg.name} SET default_transaction_read_only = on`);
      await admin.destroy();
      const readOnly = await openPostgres(pg.url, 2);
      try {
        await expect(readOnly.query('CREATE TABLE probe (id int)')).rejects.toThrow(/read-only transaction/);
        expect(await runPendingMigrations({ plugin: snapshotsPlugin(), target: readOnly })).toMatchObject({
          outcome: 'up-to-date',
          applied: [],
        });
      } finally {
        await readOnly.destroy();
      }
    } finally {
      if (ds.isInitialized) await ds.destroy();
      await pg.drop();
    }
  });
});
