// Watershed tables built from watershed.nodb's summaries when watershed/ holds no CSV or parquet at all
// (migrate_watersheds' legacy branch): hillslopes, channels, flowpaths parquet with the real tool's columns and
// types. WEPP ids (and chn_enum) a summary lacks come from the Topaz translator, so the tables are normalized.
import { defineMigration, type ValidationIssue } from '@tidemark/core';
import { RunDirError } from '../errors.js';
import { readParquetSelected, writeParquet, type Table } from '../tables/parquet.js';
import { topazTranslator } from '../tables/topaz-translator.js';
import { isFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';
import { SUMMARY_KEYS, WATERSHED_NODB, summaryTables } from '../traits/watershed-nodb.js';
import { WATERSHED_ID_RULES, WATERSHED_TABLES, parquetIdProblems, type WatershedTable } from '../traits/watershed-tables.js';

type Counts = Partial<Record<WatershedTable, number>>;

function fillWeppIds(tables: Partial<Record<WatershedTable, Table>>): number {
  const { hillslopes, channels } = tables;
  const needs = [hillslopes, channels].some((t) => t?.rows.some((r) => r.wepp_id === null)) || (channels?.rows.some((r) => r.chn_enum === null) ?? false);
  if (!needs) return 0;
  if (!hillslopes) throw new RunDirError(`${WATERSHED_NODB}: ${SUMMARY_KEYS.channels} lacks WEPP ids and there are no hillslope summaries to number them from`, { file: WATERSHED_NODB });
  const t = topazTranslator(hillslopes.rows.map((r) => r.topaz_id as number), channels?.rows.map((r) => r.topaz_id as number) ?? []);
  let filled = 0;
  for (const row of [...hillslopes.rows, ...(channels?.rows ?? [])]) {
    if (row.wepp_id === null) {
      row.wepp_id = t.wepp(row.topaz_id as number) ?? null;
      filled++;
    }
  }
  for (const row of channels?.rows ?? []) {
    if (row.chn_enum === null && typeof row.wepp_id === 'number' && row.wepp_id > t.hillslopes) row.chn_enum = row.wepp_id - t.hillslopes;
  }
  return filled;
}

export const watershedTablesFromNodb = defineMigration<RunDirTarget>({
  id: '009_watershed_tables_from_nodb',
  title: 'Watershed tables built from watershed.nodb summaries (run without CSV or parquet)',
  version: 1001,
  requires: ['002_nodb_jsonpickle_nested', '003_root_sidecars'],
  async up(ctx) {
    const tables = await summaryTables(ctx.target);
    if (!tables) return;
    const filled = fillWeppIds(tables);
    if (filled > 0) ctx.log(`${filled} WEPP id(s) numbered by the Topaz translator`);
    const counts: Counts = Object.fromEntries(Object.entries(tables).map(([k, t]) => [k, t.rows.length]));
    await ctx.checkpoint.save(counts);
    for (const table of WATERSHED_TABLES) {
      const t = tables[table];
      if (!t) continue;
      const rel = `watershed/${table}.parquet`;
      await writeParquet(runPath(ctx.target, rel), t, [], rel);
      ctx.log(`${rel}: ${t.rows.length} rows from ${WATERSHED_NODB} ${SUMMARY_KEYS[table]}`);
    }
  },
  async validate(ctx) {
    const issues: ValidationIssue[] = [];
    const counts = (await ctx.checkpoint.load<Counts>()) ?? {};
    for (const [table, want] of Object.entries(counts) as [WatershedTable, number][]) {
      const rel = `watershed/${table}.parquet`;
      if (!(await isFile(runPath(ctx.target, rel)))) {
        issues.push({ where: rel, message: 'not written' });
        continue;
      }
      for (const p of await parquetIdProblems(runPath(ctx.target, rel), rel, WATERSHED_ID_RULES[table])) issues.push({ where: rel, message: p });
      const got = (await readParquetSelected(runPath(ctx.target, rel), ['topaz_id'], rel)).rows.length;
      if (got !== want) issues.push({ where: rel, message: `row count ${got}, expected ${want}` });
    }
    return issues;
  },
});
