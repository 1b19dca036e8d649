// The run's WEPPcloud config name ("disturbed9002"), as ron.nodb stores it (`_config`, flat or nested
// jsonpickle), for registry rows of runs that have no `.provenance.json`.
import { readFile } from 'node:fs/promises';
import { runPath, type RunDirTarget } from '../target.js';

export async function readRunConfig(target: RunDirTarget): Promise<string | null> {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(await readFile(runPath(target, 'ron.nodb'), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const state = (data['py/state'] && typeof data['py/state'] === 'object' ? data['py/state'] : data) as Record<
    string,
    unknown
  >;
  const config = state._config ?? state.config;
  return typeof config === 'string' ? config.replace(/\.cfg$/, '') : null;
}
