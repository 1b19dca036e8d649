// soils.nodb: every SoilSummary's `soils_dir` that is relative ("<runid>/soils"), not a string, or another folder
// becomes `<run>/soils` (migrate_soils_dir_paths), so the .sol files resolve wherever the run now lives.
import { defineMigration } from '@tidemark/core';
import type { RunDirTarget } from '../target.js';
import { writeNodb } from '../traits/nodb-state.js';
import { SOILS_NODB, findSoilsDirs, soilSummaries, soilsDirOf } from '../traits/soils-nodb.js';

export const soilsDirPaths = defineMigration<RunDirTarget>({
  id: '012_soils_dir_paths',
  title: "soils.nodb: soil summaries' soils_dir -> the run's soils folder",
  version: 1003,
  requires: ['011_soils_nodb_meta'],
  async up(ctx) {
    const found = await findSoilsDirs(ctx.target);
    if (!found) return;
    const dir = soilsDirOf(ctx.target);
    for (const s of soilSummaries(found.file)) if (found.keys.includes(s.key)) s.state.set('soils_dir', dir);
    await writeNodb(ctx.target, found.file);
    ctx.log(`${SOILS_NODB}: soils_dir fixed in ${found.keys.length} soil summaries`);
  },
  async validate(ctx) {
    const left = await findSoilsDirs(ctx.target);
    return left ? [{ where: SOILS_NODB, message: `soils_dir still not <run>/soils in ${left.keys.join(', ')}` }] : [];
  },
});
