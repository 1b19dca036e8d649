// Trait: WhiteboxTools GeoJSON (`dem/wbt/*.geojson`) whose TopazID / WeppID / Order properties are strings or
// floats ("22", 22.0), or whose properties hold NaN (Python writes it; JSON readers choke on it).
import { defineTrait } from '@tidemark/core';
import { RunDirError } from '../errors.js';
import { PyNum, PyObj, type PyValue } from '../json/py-json.js';
import { isFile, readPyJsonFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';

export const WBT_GEOJSON = ['channels', 'channels.WGS', 'subcatchments', 'subcatchments.WGS'].map(
  (n) => `dem/wbt/${n}.geojson`,
);
export const WBT_ID_PROPERTIES = ['TopazID', 'WeppID', 'Order'];

export function isIntegerNumber(v: PyValue | undefined): boolean {
  return v instanceof PyNum && /^-?\d+$/.test(v.raw);
}

/** The features array, or an error naming the file when the GeoJSON has none. */
export function featuresOf(value: PyValue, rel: string): PyObj[] {
  const features = value instanceof PyObj ? value.get('features') : undefined;
  if (!Array.isArray(features)) throw new RunDirError(`${rel}: GeoJSON without a "features" array`, { file: rel });
  return features.map((f, i) => {
    if (!(f instanceof PyObj)) throw new RunDirError(`${rel}: feature ${i} is not an object`, { file: rel });
    return f;
  });
}

export async function geojsonProblems(target: RunDirTarget, rel: string): Promise<string[]> {
  const { value } = await readPyJsonFile(target, rel);
  let ids = 0;
  let nans = 0;
  for (const feature of featuresOf(value, rel)) {
    const props = feature.get('properties');
    if (!(props instanceof PyObj)) continue;
    for (const [k, v] of props.entries) {
      if (WBT_ID_PROPERTIES.includes(k) && v !== null && !isIntegerNumber(v)) ids++;
      else if (v instanceof PyNum && !Number.isFinite(v.value)) nans++;
    }
  }
  return [
    ...(ids > 0 ? [`${rel}: ${ids} id propert${ids === 1 ? 'y' : 'ies'} not stored as integers`] : []),
    ...(nans > 0 ? [`${rel}: ${nans} NaN/Infinity propert${nans === 1 ? 'y' : 'ies'}`] : []),
  ];
}

export async function findWbtLegacy(target: RunDirTarget): Promise<{ file: string; problems: string[] }[]> {
  const found = [];
  for (const rel of WBT_GEOJSON) {
    if (!(await isFile(runPath(target, rel)))) continue;
    const problems = await geojsonProblems(target, rel);
    if (problems.length > 0) found.push({ file: rel, problems });
  }
  return found;
}

export const wbtGeojsonTrait = defineTrait<RunDirTarget>({
  id: 'wbt-geojson-string-ids',
  title: 'WhiteboxTools GeoJSON with string/float TopazID, WeppID, Order (or NaN properties)',
  fixes: ['005_wbt_geojson_ids'],
  async detect(target) {
    const found = await findWbtLegacy(target);
    return found.length === 0
      ? null
      : { summary: found.flatMap((f) => f.problems).join('; '), details: { files: found } };
  },
});
