// Parquet library choice, measured: read a legacy watershed table (TopazID float64, WeppID string, 11 core
// columns), normalize the ids to Int32, write it back. This plugin (hyparquet + hyparquet-writer, pure JS)
// side by side with @duckdb/node-api (native, prebuilt N-API binary) in one run; ratios printed.
// Run: pnpm --filter @tidemark/plugin-run-dirs bench:parquet [rows...]
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { normalizeIdColumns } from '../src/tables/id-columns.js';
import { readParquet, writeParquet } from '../src/tables/parquet.js';
import { WATERSHED_ID_RULES } from '../src/traits/watershed-tables.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const dir = await mkdtemp(join(tmpdir(), 'tidemark-pq-bench-'));
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();

async function best(fn: () => Promise<void>, reps = 5): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

try {
  console.log('rows      file KB  hyparquet ms  duckdb ms  hyparquet/duckdb');
  for (const rows of sizes.length > 0 ? sizes : [500, 5_000, 100_000]) {
    const src = join(dir, `legacy-${rows}.parquet`);
    await con.run(`COPY (SELECT (i*10 + 1 + (i%3))::DOUBLE AS TopazID, (i+1)::VARCHAR AS WeppID, random() AS slope_scalar, random()*500 AS length,
      random()*100 AS width, random()*360 AS direction, random()*360 AS aspect, random()*1e5 AS area, 1000+random()*500 AS elevation,
      (random()*1000)::BIGINT AS centroid_px, (random()*1000)::BIGINT AS centroid_py, -116+random() AS centroid_lon, 46+random() AS centroid_lat
      FROM range(${rows}) t(i)) TO '${src}' (FORMAT parquet, COMPRESSION snappy)`);
    const ours = await best(async () => {
      const t = await readParquet(src);
      await writeParquet(
        join(dir, 'out-hy.parquet'),
        normalizeIdColumns(t, WATERSHED_ID_RULES.hillslopes, 'bench').table,
      );
    });
    const duck = await best(async () => {
      await con.run(
        `COPY (SELECT TopazID::INTEGER AS topaz_id, WeppID::INTEGER AS wepp_id, * EXCLUDE (TopazID, WeppID) FROM read_parquet('${src}')) TO '${join(dir, 'out-duck.parquet')}' (FORMAT parquet)`,
      );
    });
    // Both outputs must hold the same ids.
    const check = (
      await con.runAndReadAll(
        `SELECT (SELECT sum(topaz_id) FROM read_parquet('${join(dir, 'out-hy.parquet')}')) = (SELECT sum(topaz_id) FROM read_parquet('${join(dir, 'out-duck.parquet')}')) AS same`,
      )
    ).getRowObjects()[0];
    if (!check?.same) throw new Error('outputs differ');
    const kb = (await stat(src)).size / 1024;
    console.log(
      `${String(rows).padEnd(9)} ${kb.toFixed(0).padStart(7)}  ${ours.toFixed(1).padStart(12)}  ${duck.toFixed(1).padStart(9)}  ${(ours / duck).toFixed(1).padStart(16)}x`,
    );
  }
  console.log(
    `install size: hyparquet+writer+compressors ~1.2 MB (pure JS); @duckdb/node-api + linux-x64 binding ~70 MB (per platform)`,
  );
} finally {
  con.closeSync();
  await rm(dir, { recursive: true, force: true });
}
