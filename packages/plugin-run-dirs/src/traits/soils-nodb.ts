// soils.nodb fixes of wepppy tools/migrations/soils.py:
// - `_meta_fn` of each SoilSummary points to a legacy pickled .json that newer numpy cannot load: cleared (null)
//   once soils/soils.parquet exists (migrate_soils_nodb_meta);
// - `soils_dir` of each SoilSummary that is relative ("<runid>/soils"), not a string, or not this run's soils folder
//   is set to `<run>/soils` (migrate_soils_dir_paths).
import { resolve } from 'node:path';
import { defineTrait } from '@tidemark/core';
import { isFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';
import { PyObj } from '../json/py-json.js';
import { readNodb, stateOf, type NodbFile } from './nodb-state.js';

export const SOILS_NODB = 'soils.nodb';
const META_FN_VALUE = /"_meta_fn":\s*"[^"]+\.json"/;

/** The SoilSummary objects of `state.soils` (mukey -> summary), each as the object holding its attributes. */
export function soilSummaries(file: NodbFile): { key: string; state: PyObj }[] {
  const soils = file.state.get('soils');
  if (!(soils instanceof PyObj)) return [];
  return soils.entries
    .filter(([k, v]) => !k.startsWith('py/') && v instanceof PyObj)
    .map(([key, v]) => ({ key, state: stateOf(v as PyObj) }));
}

export async function soilsParquetExists(target: RunDirTarget): Promise<boolean> {
  return (await isFile(runPath(target, 'soils/soils.parquet'))) || (await isFile(runPath(target, 'soils.parquet')));
}

/** Summaries whose `_meta_fn` is set, when the file names a legacy .json and the parquet that replaces it exists. */
export async function findMetaFn(target: RunDirTarget): Promise<{ file: NodbFile; keys: string[] } | null> {
  const file = await readNodb(target, SOILS_NODB);
  if (!file || !META_FN_VALUE.test(file.text) || !(await soilsParquetExists(target))) return null;
  const keys = soilSummaries(file)
    .filter((s) => s.state.has('_meta_fn') && s.state.get('_meta_fn') !== null)
    .map((s) => s.key);
  return keys.length > 0 ? { file, keys } : null;
}

export function soilsDirOf(target: RunDirTarget): string {
  return resolve(target.dir, 'soils');
}

/** Summaries whose `soils_dir` is not this run's soils folder. */
export async function findSoilsDirs(target: RunDirTarget): Promise<{ file: NodbFile; keys: string[] } | null> {
  const file = await readNodb(target, SOILS_NODB);
  if (!file) return null;
  const want = soilsDirOf(target);
  const keys = soilSummaries(file)
    .filter((s) => s.state.has('soils_dir'))
    .filter((s) => {
      const v = s.state.get('soils_dir');
      return typeof v !== 'string' || !v.startsWith('/') || resolve(v) !== want;
    })
    .map((s) => s.key);
  return keys.length > 0 ? { file, keys } : null;
}

export const soilsMetaFnTrait = defineTrait<RunDirTarget>({
  id: 'soils-nodb-meta-fn',
  title: 'soils.nodb summaries pointing at legacy pickled _meta_fn .json files (soils.parquet replaces them)',
  fixes: ['011_soils_nodb_meta'],
  async detect(target) {
    const found = await findMetaFn(target);
    return found
      ? {
          summary: `${SOILS_NODB}: ${found.keys.length} soil summar${found.keys.length === 1 ? 'y' : 'ies'} with _meta_fn (${found.keys.slice(0, 5).join(', ')})`,
          details: { keys: found.keys },
        }
      : null;
  },
});

export const soilsDirPathsTrait = defineTrait<RunDirTarget>({
  id: 'soils-nodb-dir-paths',
  title: "soils.nodb summaries whose soils_dir is relative or not the run's soils folder",
  fixes: ['012_soils_dir_paths'],
  async detect(target) {
    const found = await findSoilsDirs(target);
    return found
      ? {
          summary: `${SOILS_NODB}: ${found.keys.length} soil summar${found.keys.length === 1 ? 'y' : 'ies'} with a soils_dir other than <run>/soils (${found.keys.slice(0, 5).join(', ')})`,
          details: { keys: found.keys },
        }
      : null;
  },
});
