// Columns a step does not normalise keep their parquet type and values, whatever the type: DuckDB writes a
// legacy table with a column of every type it has a parquet mapping for (the types pyarrow writes too), the
// id normalisation rewrites it, and DuckDB reads the same types and values back from our file.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRunner } from '@tidemark/core';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { runDirsPlugin } from '../plugin.js';
import { createRunFromState } from '../run-state.js';
import { csvFile, hillslopeIds, nodbFile, watershedTable } from '../test/legacy-runs.js';
import { tempDir } from '../test/tmp-run.js';
import { normalizeIdColumns } from './id-columns.js';
import { encodeParquet, readParquet, writeParquet } from './parquet.js';
import { WATERSHED_ID_RULES } from '../traits/watershed-tables.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

// name -> DuckDB expression over i (0..3); row 3 is null where the type allows it.
const EVERY_TYPE: Record<string, string> = {
  c_bool: 'CASE WHEN i = 3 THEN NULL ELSE i % 2 = 0 END',
  c_tinyint: '(i * 40 - 60)::TINYINT',
  c_smallint: '(i * 9000 - 12000)::SMALLINT',
  c_int_nullable: 'CASE WHEN i = 1 THEN NULL ELSE i * 7 END::INTEGER',
  c_bigint: '(i * 3000000000000)::BIGINT - 9007199254740993',
  c_utinyint: '(i * 80)::UTINYINT',
  c_usmallint: '(i * 20000)::USMALLINT',
  c_uinteger: '(4294967295 - i)::UINTEGER',
  c_ubigint: '(18446744073709551615 - i)::UBIGINT',
  c_float: '(i / 3)::FLOAT',
  c_double: "CASE WHEN i = 2 THEN 'NaN'::DOUBLE ELSE i / 7 END",
  c_dec_9_2: '(i * 1234.56 - 99.99)::DECIMAL(9,2)',
  c_dec_18_4: '(i * 12345678901.2345)::DECIMAL(18,4)',
  c_dec_38_10: "('1234567890123456789012345678.' || i::VARCHAR || '123456789')::DECIMAL(38,10)",
  c_varchar: "CASE WHEN i = 3 THEN NULL ELSE 'süd ' || i::VARCHAR END",
  c_dict: "(['Forest', 'Grassland'])[i % 2 + 1]",
  c_blob: "('\\x00\\xFF'::BLOB || i::VARCHAR::BLOB)",
  c_date: "DATE '2019-06-01' + (i * 400)::INTEGER",
  c_time: "TIME '12:34:56.789' + INTERVAL (i) MINUTE",
  c_ts: "TIMESTAMP '2019-06-01 12:00:00.123456' + INTERVAL (i) DAY",
  c_ts_ms: "(TIMESTAMP '1969-12-31 23:59:59.5' + INTERVAL (i) HOUR)::TIMESTAMP_MS",
  c_ts_ns: "(TIMESTAMP '2021-02-03 04:05:06.123456' + INTERVAL (i) SECOND)::TIMESTAMP_NS",
  c_tstz: "(TIMESTAMP '2020-01-01 00:00:00' + INTERVAL (i) HOUR)::TIMESTAMPTZ",
  c_uuid: "('8a3c1b2e-0000-4000-8000-00000000000' || i::VARCHAR)::UUID",
  c_json: `('{"a": ' || i::VARCHAR || ', "b": [1, 2]}')::JSON`,
  c_enum: "(['x', 'y', 'z'])[i % 3 + 1]::ENUM('x', 'y', 'z')",
};

async function describeTypes(con: DuckDBConnection, path: string): Promise<Record<string, string>> {
  const rows = (
    await con.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${path}'))`)
  ).getRowObjects();
  return Object.fromEntries(rows.map((r) => [String(r.column_name), String(r.column_type)]));
}

describe('columns carried through a rewrite', () => {
  it('every DuckDB/pyarrow parquet type keeps its type and values when a table is normalised around it', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run("SET TimeZone = 'UTC'");
    const src = join(dir, 'legacy.parquet');
    const out = join(dir, 'normalized.parquet');
    const extra = Object.entries(EVERY_TYPE)
      .map(([n, e]) => `${e} AS ${n}`)
      .join(', ');
    await con.run(
      `COPY (SELECT (i * 10 + 21)::DOUBLE AS TopazID, (i + 1)::VARCHAR AS WeppID, ${extra} FROM range(4) t(i)) TO '${src}' (FORMAT parquet)`,
    );

    const before = await readParquet(src, 'legacy.parquet');
    expect(before.columns.filter((c) => c.type === 'RAW').length).toBeGreaterThan(15);
    const { table } = normalizeIdColumns(before, WATERSHED_ID_RULES.hillslopes, 'legacy.parquet');
    await writeParquet(
      out,
      table,
      before.metadata.filter((kv) => kv.key !== 'ARROW:schema'),
      'normalized.parquet',
    );

    const types = await describeTypes(con, out);
    const want = await describeTypes(con, src);
    expect(types).toEqual({
      topaz_id: 'INTEGER',
      wepp_id: 'INTEGER',
      ...Object.fromEntries(Object.keys(EVERY_TYPE).map((n) => [n, want[n]])),
    });
    const cols = Object.keys(EVERY_TYPE)
      .map((n) =>
        n === 'c_double' ? 'c_double::VARCHAR AS c_double' : n === 'c_json' ? 'c_json::VARCHAR AS c_json' : n,
      )
      .join(', ');
    const diff = await con.runAndReadAll(
      `(SELECT TopazID::INTEGER AS t, WeppID::INTEGER AS w, ${cols} FROM read_parquet('${src}') EXCEPT SELECT topaz_id, wepp_id, ${cols} FROM read_parquet('${out}'))
       UNION ALL (SELECT topaz_id, wepp_id, ${cols} FROM read_parquet('${out}') EXCEPT SELECT TopazID::INTEGER, WeppID::INTEGER, ${cols} FROM read_parquet('${src}'))`,
    );
    expect(diff.getRowObjects()).toEqual([]);
    expect(
      (await con.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${out}')`)).getRowObjects(),
    ).toEqual([{ n: 4 }]);

    // and our own reading of the rewritten file is the table we wrote (a second rewrite changes nothing)
    const back = await readParquet(out, 'normalized.parquet');
    expect(back.columns).toEqual(table.columns);
    expect(back.rows).toEqual(table.rows);
    expect(encodeParquet(back, back.metadata)).toEqual(encodeParquet(table, back.metadata));
    con.closeSync();
  });

  it('an id column of a carried type is read as the number it stands for (unsigned, small ints)', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const src = join(dir, 'ids.parquet');
    await con.run(
      `COPY (SELECT (i * 10 + 21)::USMALLINT AS TopazID, (i + 1)::UINTEGER AS WeppID FROM range(3) t(i)) TO '${src}' (FORMAT parquet)`,
    );
    const { table } = normalizeIdColumns(await readParquet(src), WATERSHED_ID_RULES.hillslopes, 'ids.parquet');
    expect(table.rows).toEqual([
      { topaz_id: 21, wepp_id: 1 },
      { topaz_id: 31, wepp_id: 2 },
      { topaz_id: 41, wepp_id: 3 },
    ]);
    con.closeSync();
  });
});

describe('nested columns', () => {
  it('a detector reads the top-level columns of a file with a list column; a rewrite names file and column', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const src = join(dir, 'nested.parquet');
    await con.run(
      `COPY (SELECT (i * 10 + 21)::INTEGER AS topaz_id, [i, i + 1] AS runs, {'a': i} AS s, (i + 1)::INTEGER AS wepp_id FROM range(2) t(i)) TO '${src}' (FORMAT parquet)`,
    );
    const { readParquetColumns } = await import('./parquet.js');
    expect((await readParquetColumns(src)).map((c) => `${c.name}:${c.type}`)).toEqual([
      'topaz_id:INT32',
      'runs:RAW',
      's:RAW',
      'wepp_id:INT32',
    ]);
    await expect(readParquet(src, 'landuse/landuse.parquet')).rejects.toThrow(
      'landuse/landuse.parquet: nested parquet columns are not supported (column "runs")',
    );
    con.closeSync();
  });
});

describe('a file a step does not rewrite', () => {
  it('a normalized flowpaths table with a list column does not stop the watershed step (validators read only the ids)', async () => {
    const hills = hillslopeIds(3);
    const { target, cleanup } = await createRunFromState({
      runId: 'ab-nested',
      files: {
        'watershed.nodb': nodbFile('watershed', '{RUN_DIR}', false),
        'watershed/hillslopes.csv': csvFile(watershedTable('hillslopes', hills, 'double')),
      },
    });
    cleanups.push(cleanup);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const fp = join(target.dir, 'watershed', 'flowpaths.parquet');
    await con.run(
      `COPY (SELECT t::INTEGER AS topaz_id, 1::INTEGER AS fp_id, [0.1, 0.2] AS profile FROM (VALUES (${hills.map((h) => h.topaz).join('), (')})) v(t)) TO '${fp}' (FORMAT parquet)`,
    );
    con.closeSync();
    const bytes = await readFile(fp);
    await createRunner({ plugin: runDirsPlugin({ snapshot: 'hardlink', disk: false }), target }).up();
    expect((await readParquet(join(target.dir, 'watershed', 'hillslopes.parquet'))).rows.map((r) => r.wepp_id)).toEqual(
      [1, 2, 3],
    );
    expect(await readFile(fp)).toEqual(bytes);
  });
});
