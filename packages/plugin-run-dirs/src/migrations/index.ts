// The built-in migrations and traits, in the real tool's order (run paths, jsonpickle format, watersheds,
// WBT GeoJSON, landuse parquet, soils parquet), with root sidecars moved before the tables that need them.
import type { Migration, Trait } from '@tidemark/core';
import type { RunDirTarget } from '../target.js';
import { rootSidecarsTrait } from '../traits/root-sidecars.js';
import { landuseParquetTrait, soilsParquetTrait } from '../traits/controller-parquet.js';
import { ashPicklesTrait, interchangeTrait } from '../traits/external.js';
import { jsonpickleFlatTrait, nodbStalePathsTrait } from '../traits/nodb-json.js';
import { watershedTablesTrait } from '../traits/watershed-tables.js';
import { wbtGeojsonTrait } from '../traits/wbt-geojson.js';
import { nodbRunPaths } from './001_nodb_run_paths.js';
import { nodbJsonpickleNested } from './002_nodb_jsonpickle_nested.js';
import { rootSidecars } from './003_root_sidecars.js';
import { watershedTables } from './004_watershed_tables.js';
import { wbtGeojsonIds } from './005_wbt_geojson_ids.js';
import { landuseParquet } from './006_landuse_parquet.js';
import { soilsParquet } from './007_soils_parquet.js';

export const runDirMigrations: readonly Migration<RunDirTarget>[] = [nodbRunPaths, nodbJsonpickleNested, rootSidecars, watershedTables, wbtGeojsonIds, landuseParquet, soilsParquet];

export const runDirTraits: readonly Trait<RunDirTarget>[] = [
  nodbStalePathsTrait,
  jsonpickleFlatTrait,
  rootSidecarsTrait,
  watershedTablesTrait,
  wbtGeojsonTrait,
  landuseParquetTrait,
  soilsParquetTrait,
  ashPicklesTrait,
  interchangeTrait,
];
