// The plugin's traits (the shapes of legacy runs each migration fixes), in the migrations' order.
import type { Trait } from '@tidemark/core';
import type { RunDirTarget } from '../target.js';
import { landuseParquetTrait, soilsParquetTrait } from './controller-parquet.js';
import { ashPicklesTrait, interchangeTrait } from './external.js';
import { jsonpickleFlatTrait, nodbStalePathsTrait } from './nodb-json.js';
import { rootSidecarsTrait } from './root-sidecars.js';
import { watershedTablesTrait } from './watershed-tables.js';
import { wbtGeojsonTrait } from './wbt-geojson.js';

export { landuseParquetTrait, soilsParquetTrait, ashPicklesTrait, interchangeTrait, jsonpickleFlatTrait, nodbStalePathsTrait, rootSidecarsTrait, watershedTablesTrait, wbtGeojsonTrait };

export const traits: readonly Trait<RunDirTarget>[] = [
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
