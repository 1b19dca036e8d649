// watershed.nodb slimming (migrate_watershed_nodb_slim), once hillslopes/flowpaths/channels parquet exist:
// `_subs_summary` / `_chns_summary` become `{"<topaz_id>": null}` placeholders in table order (code still iterates
// them), `_fps_summary` becomes null, and an inline `_structure` is written to watershed/structure.json (rows of
// ints, Python's json.dump layout) with `_structure` set to that file's path.
import { resolve } from 'node:path';
import { defineMigration } from '@tidemark/core';
import { writeFileAtomic } from '../file-ops.js';
import { PyObj } from '../json/py-json.js';
import { readParquetSelected } from '../tables/parquet.js';
import { runPath, type RunDirTarget } from '../target.js';
import { readNodb, writeNodb } from '../traits/nodb-state.js';
import { STRUCTURE_JSON, SUMMARY_KEYS, WATERSHED_NODB, findSlimming } from '../traits/watershed-nodb.js';

async function topazIds(target: RunDirTarget, table: 'hillslopes' | 'channels'): Promise<string[]> {
  const rel = `watershed/${table}.parquet`;
  return (await readParquetSelected(runPath(target, rel), ['topaz_id'], rel)).rows.map((r) => String(r.topaz_id));
}

export const watershedNodbSlim = defineMigration<RunDirTarget>({
  id: '010_watershed_nodb_slim',
  title: 'watershed.nodb: drop summaries the parquet tables replaced, inline _structure -> watershed/structure.json',
  version: 1003,
  requires: ['004_watershed_tables', '009_watershed_tables_from_nodb'],
  async up(ctx) {
    const found = await findSlimming(ctx.target);
    const nodb = await readNodb(ctx.target, WATERSHED_NODB);
    if (!found || !nodb) return;
    const placeholders = (ids: string[]) => new PyObj(ids.map((id) => [id, null]));
    if (found.keys.includes(SUMMARY_KEYS.hillslopes)) nodb.state.set(SUMMARY_KEYS.hillslopes, placeholders(await topazIds(ctx.target, 'hillslopes')));
    if (found.keys.includes(SUMMARY_KEYS.channels)) nodb.state.set(SUMMARY_KEYS.channels, placeholders(await topazIds(ctx.target, 'channels')));
    if (found.keys.includes(SUMMARY_KEYS.flowpaths)) nodb.state.set(SUMMARY_KEYS.flowpaths, null);
    if (found.structure) {
      // The file first: a crash before the .nodb is rewritten leaves the inline copy, never a dangling path.
      await writeFileAtomic(runPath(ctx.target, STRUCTURE_JSON), `[${found.structure.map((row) => `[${row.join(', ')}]`).join(', ')}]`);
      nodb.state.set('_structure', resolve(ctx.target.dir, STRUCTURE_JSON));
    }
    await writeNodb(ctx.target, nodb);
    ctx.log(`${WATERSHED_NODB}: ${[...found.keys.map((k) => `slimmed ${k}`), ...(found.structure ? [`_structure -> ${STRUCTURE_JSON}`] : [])].join(', ')}`);
  },
  async validate(ctx) {
    const left = await findSlimming(ctx.target);
    if (!left) return [];
    return [{ where: WATERSHED_NODB, message: `still holds ${[...left.keys, ...(left.structure ? ['_structure'] : [])].join(', ')}` }];
  },
});
