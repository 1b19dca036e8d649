import { generate } from './src/bench/generate.js';
import { openPostgres } from './src/connect.js';
import { createPgDatabase } from './src/test/databases.js';
import { createRunner } from '@tidemark/core';
import { snapshotsPlugin } from './src/plugin.js';
import { batchStatements } from './src/backfill-sql.js';
const db = await createPgDatabase('tm_snap_prof');
const ds = await openPostgres(db.url);
try {
  await generate(ds, { runs: 100000, recipes: 2000, ingredients: 400, linesPerRecipe: 8 });
  await createRunner({ plugin: snapshotsPlugin(), target: ds }).up({ to: '002_add_run_snapshot_link' });
  await ds.query('ANALYZE production_runs');
  const qr = ds.createQueryRunner();
  await qr.startTransaction();
  await qr.query(`SET LOCAL work_mem = '64MB'`);
  await qr.query(batchStatements('postgres').insert, [0, 10000, new Date()]);
  const p2 = await qr.query('EXPLAIN (ANALYZE, BUFFERS, WAL) ' + batchStatements('postgres').insert, [10000, 20000, new Date()]);
  console.log(p2.map((r: any) => r['QUERY PLAN']).join('\n'));
  const t = performance.now(); await qr.commitTransaction(); console.log('commit', performance.now() - t);
  await qr.release();
} finally { await ds.destroy(); await db.drop(); }
