// Watershed tables -> normalized parquet (migrate_watersheds_peridot_tables.py): ids Int32 without nulls,
// TopazID/WeppID dropped, CSV converted with pandas' typing and removed only after the parquet written in its
// place was read back and matched row for row.
import { readFile } from 'node:fs/promises';
import { defineMigration, type ValidationIssue } from '@tidemark/core';
import { RunDirError } from '../errors.js';
import { removeFile } from '../file-ops.js';
import { parseCsv } from '../tables/csv.js';
import { normalizeIdColumns } from '../tables/id-columns.js';
import { topazKind } from '../tables/ids.js';
import { readParquet, typeCsvColumns, writeParquet, type ParquetFile, type Table } from '../tables/parquet.js';
import { isRunFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';
import { WATERSHED_ID_RULES, WATERSHED_TABLES, findWatershedLegacy, parquetIdProblems, type WatershedTable } from '../traits/watershed-tables.js';

async function readCsvTable(path: string, rel: string): Promise<Table> {
  const csv = parseCsv(await readFile(path, 'utf8'), rel);
  // pandas' to_csv writes the index as a first column with an empty name: not data.
  const dropIndex = csv.header[0] === '' || csv.header[0] === 'Unnamed: 0';
  const header = dropIndex ? csv.header.slice(1) : csv.header;
  const rows = dropIndex ? csv.rows.map((r) => r.slice(1)) : csv.rows;
  return typeCsvColumns(header, rows);
}

const idsOf = (t: Table, name: string) => t.rows.map((r) => r[name] ?? null);

interface Counts {
  rows: Partial<Record<WatershedTable, number>>;
}

export const watershedTables = defineMigration<RunDirTarget>({
  id: '004_watershed_tables',
  title: 'Watershed tables: CSV / legacy ids -> normalized parquet (Int32 ids)',
  version: 1001,
  requires: ['003_root_sidecars'],
  async up(ctx) {
    const counts: Counts = { rows: {} };
    for (const finding of await findWatershedLegacy(ctx.target)) {
      const { table } = finding;
      const csvRel = `watershed/${table}.csv`;
      const pqRel = `watershed/${table}.parquet`;
      const csvPath = runPath(ctx.target, csvRel);
      const pqPath = runPath(ctx.target, pqRel);
      const rules = WATERSHED_ID_RULES[table];

      let source: ParquetFile;
      if (finding.parquet) source = await readParquet(pqPath, pqRel);
      else source = { ...(await readCsvTable(csvPath, csvRel)), metadata: [] };
      const normalized = normalizeIdColumns(source, rules, finding.parquet ? pqRel : csvRel).table;

      if (finding.csv && finding.parquet) {
        // Both present: the parquet wins, but only if the CSV says the same thing; otherwise nothing is deleted.
        const fromCsv = normalizeIdColumns(await readCsvTable(csvPath, csvRel), rules, csvRel).table;
        const a = idsOf(fromCsv, 'topaz_id');
        const b = idsOf(normalized, 'topaz_id');
        if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
          throw new RunDirError(`${csvRel} and ${pqRel} disagree (${a.length} vs ${b.length} rows or different topaz_id values); resolve by hand: neither was changed`, { file: csvRel });
        }
      }

      counts.rows[table] = normalized.rows.length;
      await ctx.checkpoint.save(counts);
      const rewrite = finding.problems.some((p) => p.startsWith(pqRel)) || !finding.parquet;
      if (rewrite) {
        // pandas' schema metadata describes the old columns: a stale copy would mislead pandas on read.
        await writeParquet(pqPath, normalized, source.metadata.filter((kv) => kv.key !== 'pandas'), pqRel);
        const back = await readParquet(pqPath, pqRel);
        for (const rule of rules) {
          if (!normalized.columns.some((c) => c.name === rule.name)) continue;
          const want = idsOf(normalized, rule.name);
          const got = idsOf(back, rule.name);
          if (got.length !== want.length || got.some((v, i) => v !== want[i])) {
            throw new RunDirError(`${pqRel}: read-back after writing does not match (${rule.name})`, { file: pqRel });
          }
        }
      }
      if (finding.csv) await removeFile(csvPath);
      ctx.log(`${table}: ${normalized.rows.length} rows normalized${finding.csv ? `, ${csvRel} removed` : ''}`);
    }
  },
  async validate(ctx) {
    const issues: ValidationIssue[] = [];
    const expected = (await ctx.checkpoint.load<Counts>())?.rows ?? {};
    const tables: Partial<Record<WatershedTable, Table>> = {};
    for (const table of WATERSHED_TABLES) {
      const csvRel = `watershed/${table}.csv`;
      const pqRel = `watershed/${table}.parquet`;
      if (await isRunFile(ctx.target, csvRel)) issues.push({ where: csvRel, message: 'legacy CSV still present' });
      if (!(await isRunFile(ctx.target, pqRel))) continue;
      for (const p of await parquetIdProblems(runPath(ctx.target, pqRel), pqRel, WATERSHED_ID_RULES[table])) issues.push({ where: pqRel, message: p });
      const t = await readParquet(runPath(ctx.target, pqRel), pqRel);
      tables[table] = t;
      const want = expected[table];
      if (want !== undefined && want !== t.rows.length) issues.push({ where: pqRel, message: `row count ${t.rows.length}, expected ${want} (rows lost or added)` });
      for (const c of t.columns) {
        if (c.type !== 'INT32') continue;
        const bad = t.rows.findIndex((r) => typeof r[c.name] === 'number' && Number.isNaN(r[c.name]));
        if (bad >= 0) issues.push({ where: `${pqRel} row ${bad} ${c.name}`, message: 'NaN id' });
      }
    }
    const kindCheck = (table: 'hillslopes' | 'channels', kind: 'hillslope' | 'channel') => {
      const t = tables[table];
      if (!t) return;
      const bad = t.rows.findIndex((r) => typeof r.topaz_id === 'number' && topazKind(r.topaz_id) !== kind);
      if (bad >= 0) issues.push({ where: `watershed/${table}.parquet row ${bad} topaz_id`, message: `${String(t.rows[bad]!.topaz_id)} is not a ${kind} id (Topaz: channels end in 4, hillslopes in 1-3)` });
      for (const name of ['topaz_id', 'wepp_id']) {
        const seen = new Set<unknown>();
        t.rows.forEach((r, i) => {
          if (r[name] === undefined) return;
          if (seen.has(r[name])) issues.push({ where: `watershed/${table}.parquet row ${i} ${name}`, message: `duplicate ${String(r[name])}` });
          seen.add(r[name]);
        });
      }
    };
    kindCheck('hillslopes', 'hillslope');
    kindCheck('channels', 'channel');
    if (tables.flowpaths && tables.hillslopes) {
      const hills = new Set(tables.hillslopes.rows.map((r) => r.topaz_id));
      const bad = tables.flowpaths.rows.findIndex((r) => !hills.has(r.topaz_id ?? null));
      if (bad >= 0) issues.push({ where: `watershed/flowpaths.parquet row ${bad} topaz_id`, message: `${String(tables.flowpaths.rows[bad]!.topaz_id)} is not a hillslope of watershed/hillslopes.parquet` });
    }
    return issues;
  },
});
