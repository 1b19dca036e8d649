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
import { readParquet, readParquetSelected, typeCsvColumns, writeParquet, type ParquetFile, type Table } from '../tables/parquet.js';
import { isFile, isRunFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';
import { topazTranslator, type TopazTranslator } from '../tables/topaz-translator.js';
import { STALE_SCHEMA_METADATA, WATERSHED_ID_RULES, WATERSHED_TABLES, findWatershedLegacy, parquetIdProblems, type WatershedFinding, type WatershedTable } from '../traits/watershed-tables.js';

async function readCsvTable(path: string, rel: string): Promise<Table> {
  const csv = parseCsv(await readFile(path, 'utf8'), rel);
  // pandas' to_csv writes the index as a first column with an empty name: not data.
  const dropIndex = csv.header[0] === '' || csv.header[0] === 'Unnamed: 0';
  const header = dropIndex ? csv.header.slice(1) : csv.header;
  const rows = dropIndex ? csv.rows.map((r) => r.slice(1)) : csv.rows;
  return typeCsvColumns(header, rows);
}

const idsOf = (t: Table, name: string) => t.rows.map((r) => r[name] ?? null);

/** A watershed table already normalized on disk (not a finding of this run), or null when there is none. */
async function readNormalizedTable(target: RunDirTarget, table: WatershedTable): Promise<Table | null> {
  const rel = `watershed/${table}.parquet`;
  return (await isFile(runPath(target, rel))) ? readParquetSelected(runPath(target, rel), ['topaz_id'], rel) : null;
}

/** Fills wepp_id (and chn_enum for channels) when the table has none; returns the columns it added. */
async function deriveWeppIds(table: Table, kind: WatershedTable, translate: () => Promise<TopazTranslator | null>): Promise<string[]> {
  const has = (name: string) => table.columns.some((c) => c.name === name);
  const wanted = kind === 'hillslopes' ? ['wepp_id'] : kind === 'channels' ? ['wepp_id', 'chn_enum'] : [];
  const missing = wanted.filter((n) => !has(n));
  if (missing.length === 0) return [];
  const rel = `watershed/${kind}.parquet`;
  const t = await translate();
  if (!t) throw new RunDirError(`${rel}: ${missing.join(', ')} missing and there is no watershed/hillslopes table to number WEPP ids from`, { file: rel });
  table.rows.forEach((row, i) => {
    const topaz = row.topaz_id as number;
    if (!has('wepp_id')) {
      const w = t.wepp(topaz);
      if (w === undefined) throw new RunDirError(`${rel}: row ${i}: topaz_id ${topaz} is not in the ${kind} Topaz ids the translator numbered`, { file: rel });
      row.wepp_id = w;
    }
    if (kind === 'channels' && !has('chn_enum')) {
      const w = row.wepp_id as number;
      if (w <= t.hillslopes) throw new RunDirError(`${rel}: row ${i}: wepp_id ${w} is not above the ${t.hillslopes} hillslopes, no chn_enum can be derived`, { file: rel });
      row.chn_enum = w - t.hillslopes;
    }
  });
  // Id columns lead: topaz_id, wepp_id, chn_enum (the order normalizeIdColumns gives the ones that were present).
  const spec = (name: string) => ({ name, type: 'INT32' as const, nullable: false });
  let at = table.columns.findIndex((c) => c.name === 'topaz_id') + 1;
  for (const name of wanted) {
    if (missing.includes(name)) table.columns.splice(at, 0, spec(name));
    at = table.columns.findIndex((c) => c.name === name) + 1;
  }
  table.rows = table.rows.map((r) => Object.fromEntries(table.columns.map((c) => [c.name, r[c.name] ?? null])));
  return missing;
}

interface Counts {
  rows: Partial<Record<WatershedTable, number>>;
}

export const watershedTables = defineMigration<RunDirTarget>({
  id: '004_watershed_tables',
  title: 'Watershed tables: CSV / legacy ids -> normalized parquet (Int32 ids)',
  version: 1001,
  requires: ['003_root_sidecars'],
  // What release 0.1.0 (43208b9) recorded, built by tsc and under tsx (a different normalised source): its
  // output is what this 004 writes too (it now also numbers tables without WEPP ids and never follows links).
  previousChecksums: ['ce228d8f79b3c061', 'ddab1b2bbbab28fa'],
  async up(ctx) {
    const counts: Counts = { rows: {} };
    const findings = await findWatershedLegacy(ctx.target);
    const prepared: { finding: WatershedFinding; source: ParquetFile; table: Table }[] = [];
    for (const finding of findings) {
      const { table } = finding;
      const csvRel = `watershed/${table}.csv`;
      const pqRel = `watershed/${table}.parquet`;
      const rules = WATERSHED_ID_RULES[table];
      let source: ParquetFile;
      if (finding.parquet) source = await readParquet(runPath(ctx.target, pqRel), pqRel);
      else source = { ...(await readCsvTable(runPath(ctx.target, csvRel), csvRel)), metadata: [] };
      prepared.push({ finding, source, table: normalizeIdColumns(source, rules, finding.parquet ? pqRel : csvRel).table });
    }
    // WEPP ids a table lacks come from the Topaz ids of both tables (normalized above, or already on disk).
    let translator: TopazTranslator | null | undefined;
    const topazIdsOf = async (table: 'hillslopes' | 'channels'): Promise<number[] | null> => {
      const t = prepared.find((p) => p.finding.table === table)?.table ?? (await readNormalizedTable(ctx.target, table));
      return t ? t.rows.map((r) => r.topaz_id as number) : null;
    };
    const translate = async (): Promise<TopazTranslator | null> => {
      if (translator === undefined) {
        const hills = await topazIdsOf('hillslopes');
        translator = hills ? topazTranslator(hills, (await topazIdsOf('channels')) ?? []) : null;
      }
      return translator;
    };
    for (const p of prepared) {
      const derived = await deriveWeppIds(p.table, p.finding.table, translate);
      if (derived.length > 0) ctx.log(`${p.finding.table}: ${derived.join(', ')} numbered by the Topaz translator`);
    }

    for (const { finding, source, table: normalized } of prepared) {
      const { table } = finding;
      const csvRel = `watershed/${table}.csv`;
      const pqRel = `watershed/${table}.parquet`;
      const csvPath = runPath(ctx.target, csvRel);
      const pqPath = runPath(ctx.target, pqRel);
      const rules = WATERSHED_ID_RULES[table];

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
        // pandas' and Arrow's schema metadata describe the old columns: a stale copy would mislead readers.
        await writeParquet(pqPath, normalized, source.metadata.filter((kv) => !STALE_SCHEMA_METADATA.includes(kv.key)), pqRel);
        const back = await readParquet(pqPath, pqRel);
        for (const name of [...rules.map((r) => r.name), 'chn_enum']) {
          if (!normalized.columns.some((c) => c.name === name)) continue;
          const want = idsOf(normalized, name);
          const got = idsOf(back, name);
          if (got.length !== want.length || got.some((v, i) => v !== want[i])) {
            throw new RunDirError(`${pqRel}: read-back after writing does not match (${name})`, { file: pqRel });
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
      const t = await readParquetSelected(runPath(ctx.target, pqRel), ['topaz_id', 'wepp_id', 'chn_enum', 'fp_id'], pqRel);
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
