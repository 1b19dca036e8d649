// soils.nodb: `_meta_fn` of every SoilSummary cleared (null) once soils/soils.parquet exists
// (migrate_soils_nodb_meta): the legacy .json files it names hold pickled numpy scalars newer numpy cannot load.
import { defineMigration } from '@tidemark/core';
import type { RunDirTarget } from '../target.js';
import { writeNodb } from '../traits/nodb-state.js';
import { SOILS_NODB, findMetaFn, soilSummaries } from '../traits/soils-nodb.js';

export const soilsNodbMeta = defineMigration<RunDirTarget>({
  id: '011_soils_nodb_meta',
  title: 'soils.nodb: clear legacy _meta_fn of soil summaries (soils.parquet exists)',
  version: 1003,
  requires: ['007_soils_parquet'],
  async up(ctx) {
    const found = await findMetaFn(ctx.target);
    if (!found) return;
    for (const s of soilSummaries(found.file)) if (found.keys.includes(s.key)) s.state.set('_meta_fn', null);
    await writeNodb(ctx.target, found.file);
    ctx.log(`${SOILS_NODB}: _meta_fn cleared in ${found.keys.length} soil summaries`);
  },
  async validate(ctx) {
    const left = await findMetaFn(ctx.target);
    return left ? [{ where: SOILS_NODB, message: `_meta_fn still set in ${left.keys.join(', ')}` }] : [];
  },
});
