// observed.nodb's class path (migrate_observed_nodb): "wepppy.nodb.observed.Observed" ->
// "wepppy.nodb.mods.observed.observed.Observed". Only the top "py/object" changes; any other class name is left.
import { defineMigration } from '@tidemark/core';
import type { RunDirTarget } from '../target.js';
import { readNodb, writeNodb } from '../traits/nodb-state.js';
import { OBSERVED_CLASS, OBSERVED_LEGACY_CLASS, OBSERVED_NODB, observedLegacyClass } from '../traits/observed-nodb.js';

export const observedNodbClass = defineMigration<RunDirTarget>({
  id: '008_observed_nodb_class',
  title: 'observed.nodb: old class path -> wepppy.nodb.mods.observed.observed.Observed',
  version: 1003,
  async up(ctx) {
    const file = await readNodb(ctx.target, OBSERVED_NODB);
    if (!file || file.value.get('py/object') !== OBSERVED_LEGACY_CLASS) return;
    file.value.set('py/object', OBSERVED_CLASS);
    await writeNodb(ctx.target, file);
    ctx.log(`${OBSERVED_NODB}: py/object -> ${OBSERVED_CLASS}`);
  },
  async validate(ctx) {
    return (await observedLegacyClass(ctx.target)) ? [{ where: OBSERVED_NODB, message: `py/object is still ${OBSERVED_LEGACY_CLASS}` }] : [];
  },
});
