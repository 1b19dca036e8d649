// The plugin's traits (the shapes of legacy runs each migration fixes), in the migrations' order.
import type { Trait } from '@tidemark/core';
import type { RunDirTarget } from '../target.js';
import { landuseParquetTrait, soilsParquetTrait } from './controller-parquet.js';
import { ashPicklesTrait, interchangeTrait } from './external.js';
import { jsonpickleFlatTrait, nodbStalePathsTrait } from './nodb-json.js';
import { observedNodbTrait } from './observed-nodb.js';
import { rootSidecarsTrait } from './root-sidecars.js';
import { soilsDirPathsTrait, soilsMetaFnTrait } from './soils-nodb.js';
import { watershedNodbSlimTrait, watershedNodbSummariesTrait, watershedTableMissingTrait } from './watershed-nodb.js';
import { watershedTablesTrait } from './watershed-tables.js';
import { wbtGeojsonTrait } from './wbt-geojson.js';

export {
  landuseParquetTrait,
  soilsParquetTrait,
  ashPicklesTrait,
  interchangeTrait,
  jsonpickleFlatTrait,
  nodbStalePathsTrait,
  observedNodbTrait,
  rootSidecarsTrait,
  soilsDirPathsTrait,
  soilsMetaFnTrait,
  watershedNodbSlimTrait,
  watershedNodbSummariesTrait,
  watershedTableMissingTrait,
  watershedTablesTrait,
  wbtGeojsonTrait,
};

export const traits: readonly Trait<RunDirTarget>[] = [
  observedNodbTrait,
  nodbStalePathsTrait,
  jsonpickleFlatTrait,
  rootSidecarsTrait,
  watershedTablesTrait,
  watershedNodbSummariesTrait,
  watershedTableMissingTrait,
  watershedNodbSlimTrait,
  wbtGeojsonTrait,
  landuseParquetTrait,
  soilsParquetTrait,
  soilsMetaFnTrait,
  soilsDirPathsTrait,
  ashPicklesTrait,
  interchangeTrait,
];
