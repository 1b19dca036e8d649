// Trait: watershed tables in a legacy shape — only `watershed/<table>.csv`, or parquet with TopazID / WeppID,
// string/float ids, or nullable ids holding nulls. Normalized: topaz_id / wepp_id (/ chn_enum / fp_id) Int32.
import { readFile } from 'node:fs/promises';
import { defineTrait, type Evidence } from '@tidemark/core';
import { parseCsv } from '../tables/csv.js';
import type { IdColumnRule } from '../tables/id-columns.js';
import { readParquetSelected, readParquetColumns } from '../tables/parquet.js';
import { isRunFile } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';

export const WATERSHED_TABLES = ['hillslopes', 'channels', 'flowpaths'] as const;
export type WatershedTable = (typeof WATERSHED_TABLES)[number];

const topaz: IdColumnRule = { name: 'topaz_id', legacy: ['TopazID'], required: true, onInvalid: 'error' };
// Hillslopes and channels need WEPP ids (and channels chn_enum); a table without them gets them from the Topaz
// translator, as the real tool numbers them. Flowpaths get none.
const wepp = (required: boolean): IdColumnRule => ({
  name: 'wepp_id',
  legacy: ['WeppID'],
  required,
  derive: required,
  onInvalid: 'error',
});

export const WATERSHED_ID_RULES: Record<WatershedTable, IdColumnRule[]> = {
  hillslopes: [topaz, wepp(true)],
  channels: [topaz, wepp(true), { name: 'chn_enum', legacy: [], required: true, derive: true, onInvalid: 'error' }],
  flowpaths: [topaz, { name: 'fp_id', legacy: [], required: false, onInvalid: 'error' }, wepp(false)],
};

export const LEGACY_ID_COLUMNS = ['TopazID', 'WeppID'];
/** Key-value metadata that describes a file's columns (pandas, Arrow): stale once a step rewrites the columns. */
export const STALE_SCHEMA_METADATA = ['pandas', 'ARROW:schema'];

/** Why a watershed parquet file is not normalized, or [] when it is. */
export async function parquetIdProblems(path: string, rel: string, rules: readonly IdColumnRule[]): Promise<string[]> {
  const columns = await readParquetColumns(path, rel);
  const problems: string[] = [];
  for (const legacy of LEGACY_ID_COLUMNS)
    if (columns.some((c) => c.name === legacy)) problems.push(`legacy column ${legacy}`);
  const nullable: string[] = [];
  for (const rule of rules) {
    const col = columns.find((c) => c.name === rule.name);
    if (!col) {
      if (rule.required) problems.push(`missing ${rule.name}`);
      continue;
    }
    if (col.type !== 'INT32') problems.push(`${rule.name} is ${col.type}, not INT32`);
    else if (col.nullable) nullable.push(rule.name);
  }
  if (nullable.length > 0 && problems.length === 0) {
    const { rows } = await readParquetSelected(path, nullable, rel);
    for (const name of nullable) {
      const nulls = rows.filter((r) => r[name] === null).length;
      if (nulls > 0) problems.push(`${name} has ${nulls} null(s)`);
    }
  }
  return problems;
}

export interface WatershedFinding {
  table: WatershedTable;
  csv: boolean;
  parquet: boolean;
  problems: string[];
}

export async function findWatershedLegacy(target: RunDirTarget): Promise<WatershedFinding[]> {
  const findings: WatershedFinding[] = [];
  for (const table of WATERSHED_TABLES) {
    const csvRel = `watershed/${table}.csv`;
    const pqRel = `watershed/${table}.parquet`;
    const csv = await isRunFile(target, csvRel);
    // A root sidecar `watershed.<table>.parquet` is where this table is until 003 moves it: the plan is made
    // before any step runs, so the trait must see the table where it will be read.
    const sidecarRel = `watershed.${table}.parquet`;
    const atRoot = !(await isRunFile(target, pqRel)) && (await isRunFile(target, sidecarRel));
    const parquet = atRoot || (await isRunFile(target, pqRel));
    const pqPath = runPath(target, atRoot ? sidecarRel : pqRel);
    const problems: string[] = [];
    if (csv) {
      // Detectors read little: only the header of a CSV (a broken one is reported by the migration).
      const text = await readFile(runPath(target, csvRel), 'utf8');
      const header = text.trim() === '' ? [] : parseCsv(text.split(/\r?\n/, 1)[0]!, csvRel).header;
      problems.push(
        `${csvRel} present${parquet ? ` beside ${pqRel}` : ''}${header.some((h) => LEGACY_ID_COLUMNS.includes(h)) ? ' (legacy TopazID/WeppID columns)' : ''}`,
      );
    }
    if (parquet)
      problems.push(
        ...(await parquetIdProblems(pqPath, pqRel, WATERSHED_ID_RULES[table])).map(
          (p) => `${pqRel}: ${p}${atRoot ? ` (still at ${sidecarRel})` : ''}`,
        ),
      );
    if (problems.length > 0) findings.push({ table, csv, parquet, problems });
  }
  return findings;
}

export const watershedTablesTrait = defineTrait<RunDirTarget>({
  id: 'watershed-legacy-tables',
  title: 'Watershed tables as CSV or with legacy/non-Int32 id columns',
  fixes: ['004_watershed_tables'],
  async detect(target): Promise<Evidence | null> {
    const findings = await findWatershedLegacy(target);
    if (findings.length === 0) return null;
    return {
      summary: findings.flatMap((f) => f.problems).join('; '),
      details: {
        tables: findings.map((f) => ({ table: f.table, csv: f.csv, parquet: f.parquet, problems: f.problems })),
      },
    };
  },
});
