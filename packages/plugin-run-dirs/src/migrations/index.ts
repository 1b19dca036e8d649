// The built-in migrations, in the real tool's order (observed-nodb class path, run paths, jsonpickle format,
// watersheds (from CSV/parquet or from watershed.nodb summaries), watershed-nodb slimming, WBT GeoJSON, landuse
// parquet, soils parquet, soils nodb meta, soils dir paths), with root sidecars moved before the tables that need
// them. `requires` orders what depends on what; among steps free at once the runner keeps this array's order (so
// 008 runs before 001 and 009 before 005-007 without changing the older steps' checksums).
import type { Migration } from '@tidemark/core';
import type { RunDirTarget } from '../target.js';
import { nodbRunPaths } from './001_nodb_run_paths.js';
import { nodbJsonpickleNested } from './002_nodb_jsonpickle_nested.js';
import { rootSidecars } from './003_root_sidecars.js';
import { watershedTables } from './004_watershed_tables.js';
import { wbtGeojsonIds } from './005_wbt_geojson_ids.js';
import { landuseParquet } from './006_landuse_parquet.js';
import { soilsParquet } from './007_soils_parquet.js';
import { observedNodbClass } from './008_observed_nodb_class.js';
import { watershedTablesFromNodb } from './009_watershed_tables_from_nodb.js';
import { watershedNodbSlim } from './010_watershed_nodb_slim.js';
import { soilsNodbMeta } from './011_soils_nodb_meta.js';
import { soilsDirPaths } from './012_soils_dir_paths.js';

export const migrations: readonly Migration<RunDirTarget>[] = [
  observedNodbClass,
  nodbRunPaths,
  nodbJsonpickleNested,
  rootSidecars,
  watershedTables,
  watershedTablesFromNodb,
  watershedNodbSlim,
  wbtGeojsonIds,
  landuseParquet,
  soilsParquet,
  soilsNodbMeta,
  soilsDirPaths,
];
