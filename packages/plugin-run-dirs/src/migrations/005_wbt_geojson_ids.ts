// WBT GeoJSON ids -> integers (migrate_wbt_geojson_ids.py). TopazID/WeppID/Order "22", " 22 ", 22.0 -> 22;
// an id that is no integer stops the migration naming file, feature and property; a NaN/Infinity in any
// other property becomes null (counted), since no NaN may stay in the output.
import { defineMigration, type ValidationIssue } from '@tidemark/core';
import { RunDirError } from '../errors.js';
import { writeFileAtomic } from '../file-ops.js';
import { detectStyle, PyNum, PyObj, stringifyPyJson } from '../json/py-json.js';
import { parseId, topazKind } from '../tables/ids.js';
import { readParquetSelected } from '../tables/parquet.js';
import { isFile, readPyJsonFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';
import { featuresOf, findWbtLegacy, isIntegerNumber, WBT_GEOJSON, WBT_ID_PROPERTIES } from '../traits/wbt-geojson.js';

export const wbtGeojsonIds = defineMigration<RunDirTarget>({
  id: '005_wbt_geojson_ids',
  title: 'WhiteboxTools GeoJSON: TopazID / WeppID / Order as integers, no NaN',
  version: 1002,
  requires: ['004_watershed_tables'],
  // What release 0.1.0 (43208b9) recorded, built by tsc and under tsx: same output, the source was refactored.
  previousChecksums: ['3bf698117d4b272a', 'cf26964dc6a5253a'],
  async up(ctx) {
    for (const { file } of await findWbtLegacy(ctx.target)) {
      const { text, value } = await readPyJsonFile(ctx.target, file);
      let fixed = 0;
      let nulled = 0;
      featuresOf(value, file).forEach((feature, i) => {
        const props = feature.get('properties');
        if (!(props instanceof PyObj)) return;
        for (const [k, v] of props.entries) {
          if (WBT_ID_PROPERTIES.includes(k)) {
            if (v === null || isIntegerNumber(v)) continue;
            const parsed = parseId(v instanceof PyNum ? v.value : v);
            if (!parsed.ok) throw new RunDirError(`${file}: feature ${i}: property "${k}" ${JSON.stringify(v instanceof PyNum ? v.raw : v)} is ${parsed.reason}; an integer id is required`, { file });
            props.set(k, PyNum.of(parsed.value));
            fixed++;
          } else if (v instanceof PyNum && !Number.isFinite(v.value)) {
            props.set(k, null);
            nulled++;
          }
        }
      });
      await writeFileAtomic(runPath(ctx.target, file), stringifyPyJson(value, detectStyle(text)));
      if (nulled > 0) ctx.warn(`${file}: ${nulled} NaN/Infinity propert${nulled === 1 ? 'y' : 'ies'} stored as null`);
      ctx.log(`${file}: ${fixed} id properties converted`);
    }
  },
  async validate(ctx) {
    const issues: ValidationIssue[] = (await findWbtLegacy(ctx.target)).flatMap((f) => f.problems.map((message) => ({ where: f.file, message })));
    const known: Record<string, Set<unknown> | null> = {};
    for (const table of ['hillslopes', 'channels']) {
      const rel = `watershed/${table}.parquet`;
      known[table] = (await isFile(runPath(ctx.target, rel))) ? new Set((await readParquetSelected(runPath(ctx.target, rel), ['topaz_id'], rel)).rows.map((r) => r.topaz_id)) : null;
    }
    for (const rel of WBT_GEOJSON) {
      if (!(await isFile(runPath(ctx.target, rel)))) continue;
      const table = rel.includes('channels') ? 'channels' : 'hillslopes';
      const kind = table === 'channels' ? 'channel' : 'hillslope';
      featuresOf((await readPyJsonFile(ctx.target, rel)).value, rel).forEach((feature, i) => {
        const props = feature.get('properties');
        const id = props instanceof PyObj ? props.get('TopazID') : undefined;
        if (!(id instanceof PyNum)) return;
        if (topazKind(id.value) !== kind) issues.push({ where: `${rel} feature ${i} TopazID`, message: `${id.raw} is not a ${kind} id` });
        else if (known[table] && !known[table].has(id.value)) issues.push({ where: `${rel} feature ${i} TopazID`, message: `${id.raw} is not in watershed/${table}.parquet` });
      });
    }
    return issues;
  },
});
