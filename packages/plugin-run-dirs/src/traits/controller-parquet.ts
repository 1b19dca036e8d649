// Trait (landuse and soils): `<controller>/<controller>.parquet` with legacy `TopazID` / `WeppID` / `Area`
// columns, ids that are not Int32, or ids not in the first two columns.
import { defineTrait, type Trait } from '@tidemark/core';
import { readParquetSelected, readParquetColumns } from '../tables/parquet.js';
import { isFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';
import type { IdColumnRule } from '../tables/id-columns.js';

export type Controller = 'landuse' | 'soils';

export const CONTROLLER_ID_RULES: IdColumnRule[] = [
  { name: 'topaz_id', legacy: ['TopazID'], required: true, onInvalid: 'null' },
  { name: 'wepp_id', legacy: ['WeppID'], required: false, onInvalid: 'null' },
];
export const CONTROLLER_RENAMES: Record<string, string> = { Area: 'area' };

export function controllerRel(controller: Controller): string {
  return `${controller}/${controller}.parquet`;
}

export async function controllerProblems(target: RunDirTarget, controller: Controller): Promise<string[]> {
  const rel = controllerRel(controller);
  // Before 003 moves it, the table may still be the root sidecar `<controller>.parquet`.
  const path = (await isFile(runPath(target, rel))) ? runPath(target, rel) : runPath(target, `${controller}.parquet`);
  if (!(await isFile(path))) return [];
  const columns = await readParquetColumns(path, rel);
  const names = columns.map((c) => c.name);
  const problems: string[] = [];
  for (const legacy of ['TopazID', 'WeppID', ...Object.keys(CONTROLLER_RENAMES)])
    if (names.includes(legacy)) problems.push(`legacy column ${legacy}`);
  for (const [i, name] of ['topaz_id', 'wepp_id'].entries()) {
    const col = columns.find((c) => c.name === name);
    if (!col) problems.push(`missing ${name}`);
    else if (col.type !== 'INT32') problems.push(`${name} is ${col.type}, not INT32`);
    else if (names[i] !== name) problems.push(`${name} is not column ${i + 1}`);
  }
  return problems.map((p) => `${rel}: ${p}`);
}

/** topaz_id -> wepp_id from the normalized watershed tables (hillslopes + channels); null without hillslopes. */
export async function watershedIdMap(target: RunDirTarget): Promise<Map<number, number> | null> {
  if (!(await isFile(runPath(target, 'watershed/hillslopes.parquet')))) return null;
  let map: Map<number, number> | null = null;
  for (const table of ['hillslopes', 'channels']) {
    const rel = `watershed/${table}.parquet`;
    if (!(await isFile(runPath(target, rel)))) continue;
    const t = await readParquetSelected(runPath(target, rel), ['topaz_id', 'wepp_id'], rel);
    map ??= new Map();
    for (const r of t.rows)
      if (typeof r.topaz_id === 'number' && typeof r.wepp_id === 'number') map.set(r.topaz_id, r.wepp_id);
  }
  return map;
}

export function controllerTrait(controller: Controller, fixes: string): Trait<RunDirTarget> {
  return defineTrait<RunDirTarget>({
    id: `${controller}-legacy-parquet`,
    title: `${controller}/${controller}.parquet with legacy TopazID/WeppID/Area columns or non-Int32 ids`,
    fixes: [fixes],
    async detect(target) {
      const problems = await controllerProblems(target, controller);
      return problems.length === 0
        ? null
        : { summary: problems.join('; '), details: { file: controllerRel(controller), problems } };
    },
  });
}

export const landuseParquetTrait = controllerTrait('landuse', '006_landuse_parquet');
export const soilsParquetTrait = controllerTrait('soils', '007_soils_parquet');
