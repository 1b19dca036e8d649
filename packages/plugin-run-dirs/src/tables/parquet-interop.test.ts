// Parquet written here must read the same in another engine: DuckDB (C++, the same Arrow/Parquet type
// mapping pandas uses) reads our normalized tables with Int32 ids; files DuckDB writes read back here.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/tmp-run.js';
import { encodeParquet, readParquet, writeParquet } from './parquet.js';
import { parseCsv } from './csv.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('parquet interoperability (DuckDB)', () => {
  it('DuckDB reads what we write: INTEGER ids, nulls, NaN, strings', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'hillslopes.parquet');
    await writeParquet(path, {
      columns: [
        { name: 'topaz_id', type: 'INT32', nullable: false },
        { name: 'wepp_id', type: 'INT32', nullable: true },
        { name: 'area', type: 'DOUBLE', nullable: true },
        { name: 'mukey', type: 'STRING', nullable: true },
        { name: 'centroid_px', type: 'INT64', nullable: true },
      ],
      rows: [
        { topaz_id: 22, wepp_id: 1, area: 1.5, mukey: '2400001', centroid_px: 101 },
        { topaz_id: 23, wepp_id: null, area: Number.NaN, mukey: null, centroid_px: 9_007_199_254_740_991 },
      ],
    });
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const types = (
      await con.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${path}'))`)
    ).getRowObjects();
    expect(types).toEqual([
      { column_name: 'topaz_id', column_type: 'INTEGER' },
      { column_name: 'wepp_id', column_type: 'INTEGER' },
      { column_name: 'area', column_type: 'DOUBLE' },
      { column_name: 'mukey', column_type: 'VARCHAR' },
      { column_name: 'centroid_px', column_type: 'BIGINT' },
    ]);
    const rows = (
      await con.runAndReadAll(
        `SELECT topaz_id, wepp_id, isnan(area) AS nan, mukey, centroid_px::VARCHAR AS px FROM read_parquet('${path}') ORDER BY topaz_id`,
      )
    ).getRowObjects();
    expect(rows).toEqual([
      { topaz_id: 22, wepp_id: 1, nan: false, mukey: '2400001', px: '101' },
      { topaz_id: 23, wepp_id: null, nan: true, mukey: null, px: '9007199254740991' },
    ]);
    con.closeSync();
  });

  it('we read what DuckDB writes (snappy, zstd, legacy float/string ids)', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    for (const codec of ['snappy', 'zstd']) {
      const path = join(dir, `legacy-${codec}.parquet`);
      await con.run(
        `COPY (SELECT (i*10+1)::DOUBLE AS TopazID, ' ' || (i+1)::VARCHAR || ' ' AS WeppID, (i*0.5)::DOUBLE AS slope_scalar FROM range(3) t(i)) TO '${path}' (FORMAT parquet, COMPRESSION ${codec})`,
      );
      const t = await readParquet(path);
      expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
        'TopazID:DOUBLE',
        'WeppID:STRING',
        'slope_scalar:DOUBLE',
      ]);
      expect(t.rows).toEqual([
        { TopazID: 1, WeppID: ' 1 ', slope_scalar: 0 },
        { TopazID: 11, WeppID: ' 2 ', slope_scalar: 0.5 },
        { TopazID: 21, WeppID: ' 3 ', slope_scalar: 1 },
      ]);
    }
    con.closeSync();
  });

  it('names the file for garbage and refuses a column written twice', async () => {
    expect(() =>
      encodeParquet(
        {
          columns: [
            { name: 'a', type: 'INT32', nullable: false },
            { name: 'a', type: 'INT32', nullable: false },
          ],
          rows: [],
        },
        [],
        'x.parquet',
      ),
    ).toThrow(/x.parquet: column "a" appears twice/);
    expect(() =>
      encodeParquet({ columns: [{ name: 'a', type: 'INT32', nullable: false }], rows: [{ a: null }] }, [], 'y.parquet'),
    ).toThrow(/y.parquet: row 0: column "a" is required/);
    expect(() => parseCsv('a,b\n1,"2\n', 'w.csv')).toThrow(/w.csv: line 2: unterminated/);
    expect(() => parseCsv('a,b\n1,2,3\n', 'w.csv')).toThrow(/w.csv: row 1: 3 fields/);
  });
});
