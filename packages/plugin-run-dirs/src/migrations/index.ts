// The built-in migrations, in the real tool's order (run paths, jsonpickle format, watersheds, WBT GeoJSON,
// landuse parquet, soils parquet), with root sidecars moved before the tables that need them.
import type { Migration } from '@tidemark/core';
import type { RunDirTarget } from '../target.js';
import { nodbRunPaths } from './001_nodb_run_paths.js';
import { nodbJsonpickleNested } from './002_nodb_jsonpickle_nested.js';
import { rootSidecars } from './003_root_sidecars.js';
import { watershedTables } from './004_watershed_tables.js';
import { wbtGeojsonIds } from './005_wbt_geojson_ids.js';
import { landuseParquet } from './006_landuse_parquet.js';
import { soilsParquet } from './007_soils_parquet.js';

export const migrations: readonly Migration<RunDirTarget>[] = [nodbRunPaths, nodbJsonpickleNested, rootSidecars, watershedTables, wbtGeojsonIds, landuseParquet, soilsParquet];
