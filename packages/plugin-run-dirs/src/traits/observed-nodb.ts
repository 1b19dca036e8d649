// Trait: observed.nodb written under the class's old module path (migrate_observed_nodb): jsonpickle cannot
// load it since the Observed controller moved to wepppy.nodb.mods.observed.
import { defineTrait } from '@tidemark/core';
import type { RunDirTarget } from '../target.js';
import { readNodb } from './nodb-state.js';

export const OBSERVED_NODB = 'observed.nodb';
export const OBSERVED_LEGACY_CLASS = 'wepppy.nodb.observed.Observed';
export const OBSERVED_CLASS = 'wepppy.nodb.mods.observed.observed.Observed';

export async function observedLegacyClass(target: RunDirTarget): Promise<boolean> {
  const file = await readNodb(target, OBSERVED_NODB);
  return file?.value.get('py/object') === OBSERVED_LEGACY_CLASS;
}

export const observedNodbTrait = defineTrait<RunDirTarget>({
  id: 'observed-nodb-legacy-class',
  title: `observed.nodb with the old class path ${OBSERVED_LEGACY_CLASS}`,
  fixes: ['008_observed_nodb_class'],
  async detect(target) {
    if (!(await observedLegacyClass(target))) return null;
    return {
      summary: `${OBSERVED_NODB}: py/object ${OBSERVED_LEGACY_CLASS} (now ${OBSERVED_CLASS})`,
      details: { file: OBSERVED_NODB, from: OBSERVED_LEGACY_CLASS, to: OBSERVED_CLASS },
    };
  },
});
