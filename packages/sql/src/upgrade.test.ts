// An upgrade of a legacy ledger that a crash stopped half-way: every entry still reads, and the next write
// finishes it (each step is found again from the table's columns).
import type { LedgerEntry } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { typeormExecutor } from './executor.js';
import { sqlLedger } from './ledger.js';
import { sqljsDataSource } from './test/databases.js';

const a: LedgerEntry = {
  id: '001_a',
  checksum: 'c1',
  outcome: 'applied',
  at: '2026-01-02T03:04:05.000Z',
  durationMs: 7,
  by: 'ann@h:1',
  runId: 'r0',
  data: { k: 1 },
};
const b: LedgerEntry = { ...a, id: '002_b', outcome: 'baselined', versionBefore: 3 };
const c: LedgerEntry = { ...a, id: '003_c', runId: 'r1' };

const options = (ds: Awaited<ReturnType<typeof sqljsDataSource>>) => ({
  executor: typeormExecutor(ds),
  table: 'tidemark_app_ledger',
  legacy: { table: 'old_ledger', checkpoints: 'old_checkpoints', shape: 'entry' as const },
});

describe('an upgrade from the JSON-entry shape stopped by a crash', () => {
  it.each([
    ['after the rename', [] as string[]],
    ['after some columns were added', ['checksum', 'outcome', 'at']],
    [
      'after every column was added, before they were filled',
      ['checksum', 'outcome', 'at', 'duration_ms', 'by', 'run_id', 'note', 'snapshot', 'version_before', 'data'],
    ],
  ])('%s: reads every entry, and the next write finishes it', async (_name, added) => {
    const ds = await sqljsDataSource();
    try {
      await ds.query('CREATE TABLE old_checkpoints (migration_id varchar(200) PRIMARY KEY, data text NOT NULL)');
      await ds.query(`INSERT INTO old_checkpoints VALUES ('002_b', '{"after":5}')`);
      await ds.query(
        'CREATE TABLE tidemark_app_ledger (id varchar(200) PRIMARY KEY, seq bigint NOT NULL, entry text NOT NULL)',
      );
      for (const [i, e] of [a, b].entries())
        await ds.query('INSERT INTO tidemark_app_ledger (id, seq, entry) VALUES (?, ?, ?)', [
          e.id,
          i + 1,
          JSON.stringify(e),
        ]);
      for (const column of added) await ds.query(`ALTER TABLE tidemark_app_ledger ADD COLUMN "${column}" text`);

      const ledger = sqlLedger(options(ds));
      expect(await ledger.read()).toEqual([a, b]);
      await ledger.record(c);
      expect(await sqlLedger(options(ds)).read()).toEqual([a, b, c]);
      expect(await ledger.checkpoints.load('002_b')).toEqual({ after: 5 });
      const columns = (
        (await ds.query(`SELECT name FROM pragma_table_info('tidemark_app_ledger')`)) as { name: string }[]
      ).map((r) => r.name);
      expect(columns).not.toContain('entry');
    } finally {
      await ds.destroy();
    }
  });
});
