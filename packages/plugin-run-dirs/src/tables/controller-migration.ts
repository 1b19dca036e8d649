// Shared by the landuse and soils migrations (migrate_landuse_parquet.py / migrate_soils_parquet.py):
// TopazID -> topaz_id Int32 (a non-numeric id becomes null and is counted), wepp_id Int32 from WeppID or,
// when the table has none, from the watershed's topaz->wepp mapping; both first; Area -> area.
import type { MigrationContext, ValidationIssue } from '@tidemark/core';
import {
  CONTROLLER_ID_RULES,
  CONTROLLER_RENAMES,
  controllerProblems,
  controllerRel,
  watershedIdMap,
  type Controller,
} from '../traits/controller-parquet.js';
import { STALE_SCHEMA_METADATA } from '../traits/watershed-tables.js';
import { normalizeIdColumns } from './id-columns.js';
import { readParquet, readParquetSelected, writeParquet } from './parquet.js';
import { isFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';

interface Counts {
  rows: number;
  nullTopaz: number;
}

export async function normalizeControllerParquet(
  ctx: MigrationContext<RunDirTarget>,
  controller: Controller,
): Promise<void> {
  const rel = controllerRel(controller);
  const path = runPath(ctx.target, rel);
  if ((await controllerProblems(ctx.target, controller)).length === 0) return;
  const source = await readParquet(path, rel);
  const { table, nulled } = normalizeIdColumns(source, CONTROLLER_ID_RULES, rel, CONTROLLER_RENAMES);
  const hadWepp = table.columns.some((c) => c.name === 'wepp_id');
  if (!hadWepp) {
    const map = await watershedIdMap(ctx.target);
    table.columns.splice(1, 0, { name: 'wepp_id', type: 'INT32', nullable: true });
    let unmapped = 0;
    table.rows = table.rows.map((r) => {
      const wepp = typeof r.topaz_id === 'number' ? (map?.get(r.topaz_id) ?? null) : null;
      if (wepp === null) unmapped++;
      return {
        topaz_id: r.topaz_id ?? null,
        wepp_id: wepp,
        ...Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'topaz_id')),
      };
    });
    if (unmapped > 0)
      ctx.warn(
        `${rel}: ${unmapped} row(s) got no wepp_id (${map ? 'topaz_id not in the watershed tables' : 'no watershed tables to map from'})`,
      );
  }
  for (const [column, cells] of Object.entries(nulled)) {
    ctx.warn(`${rel}: ${cells.length} ${column} value(s) not numeric, stored as null`, { rows: cells.slice(0, 20) });
  }
  await ctx.checkpoint.save({ rows: table.rows.length, nullTopaz: nulled.topaz_id?.length ?? 0 } satisfies Counts);
  await writeParquet(
    path,
    table,
    source.metadata.filter((kv) => !STALE_SCHEMA_METADATA.includes(kv.key)),
    rel,
  );
  ctx.log(`${rel}: ${table.rows.length} rows normalized`);
}

export async function validateControllerParquet(
  ctx: MigrationContext<RunDirTarget>,
  controller: Controller,
): Promise<ValidationIssue[]> {
  const rel = controllerRel(controller);
  if (!(await isFile(runPath(ctx.target, rel)))) return [];
  const issues: ValidationIssue[] = (await controllerProblems(ctx.target, controller)).map((message) => ({
    where: rel,
    message,
  }));
  if (issues.length > 0) return issues;
  const t = await readParquetSelected(runPath(ctx.target, rel), ['topaz_id', 'wepp_id'], rel);
  const expected = await ctx.checkpoint.load<Counts>();
  if (expected && expected.rows !== t.rows.length)
    issues.push({ where: rel, message: `row count ${t.rows.length}, expected ${expected.rows}` });
  const map = await watershedIdMap(ctx.target);
  if (map) {
    t.rows.forEach((r, i) => {
      if (typeof r.topaz_id !== 'number') return;
      const wepp = map.get(r.topaz_id);
      if (wepp === undefined)
        issues.push({ where: `${rel} row ${i} topaz_id`, message: `${r.topaz_id} is not in the watershed tables` });
      else if (r.wepp_id !== null && r.wepp_id !== wepp)
        issues.push({
          where: `${rel} row ${i} wepp_id`,
          message: `${String(r.wepp_id)} but the watershed maps topaz ${r.topaz_id} to wepp ${wepp}`,
        });
    });
  }
  return issues;
}
