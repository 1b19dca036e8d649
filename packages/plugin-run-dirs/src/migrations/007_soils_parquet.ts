// Soils parquet normalization (migrate_soils_parquet.py); see tables/controller-migration.ts for the rules.
import { defineMigration } from '@tidemark/core';
import { normalizeControllerParquet, validateControllerParquet } from '../tables/controller-migration.js';
import type { RunDirTarget } from '../target.js';

export const soilsParquet = defineMigration<RunDirTarget>({
  id: '007_soils_parquet',
  title: 'soils/soils.parquet: topaz_id / wepp_id Int32 first, Area -> area',
  version: 1001,
  requires: ['003_root_sidecars', '004_watershed_tables'],
  up: (ctx) => normalizeControllerParquet(ctx, 'soils'),
  validate: (ctx) => validateControllerParquet(ctx, 'soils'),
});
