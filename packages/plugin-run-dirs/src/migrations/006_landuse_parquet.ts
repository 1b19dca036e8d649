// Landuse parquet normalization (migrate_landuse_parquet.py); see tables/controller-migration.ts for the rules.
import { defineMigration } from '@tidemark/core';
import { normalizeControllerParquet, validateControllerParquet } from '../tables/controller-migration.js';
import type { RunDirTarget } from '../target.js';

export const landuseParquet = defineMigration<RunDirTarget>({
  id: '006_landuse_parquet',
  title: 'landuse/landuse.parquet: topaz_id / wepp_id Int32 first, Area -> area',
  version: 1001,
  requires: ['003_root_sidecars', '004_watershed_tables'],
  up: (ctx) => normalizeControllerParquet(ctx, 'landuse'),
  validate: (ctx) => validateControllerParquet(ctx, 'landuse'),
});
