// watershed.nodb and the watershed tables (wepppy tools/migrations/watershed.py):
// - a run with neither CSV nor parquet in watershed/ gets its tables built from watershed.nodb's `_subs_summary`,
//   `_chns_summary` and `_fps_summary` (one summary object per hillslope, channel, flowpath);
// - once the three parquet tables exist, those summaries are slimmed (`{"<topaz_id>": null}` placeholders, flowpaths
//   removed) and an inline `_structure` moves to watershed/structure.json;
// - a run whose watershed was built but whose hillslope or channel table is missing in every form is reported.
import { defineTrait } from '@tidemark/core';
import { RunDirError } from '../errors.js';
import { PyNum, PyObj, type PyValue } from '../json/py-json.js';
import { parseId } from '../tables/ids.js';
import type { Cell, ColumnSpec, Table } from '../tables/parquet.js';
import { isFile, listFiles } from '../run-files.js';
import { runPath, type RunDirTarget } from '../target.js';
import { attr, readNodb, toFloat } from './nodb-state.js';
import { WATERSHED_TABLES, type WatershedTable } from './watershed-tables.js';

export const WATERSHED_NODB = 'watershed.nodb';
export const SUMMARY_KEYS: Record<WatershedTable, string> = {
  hillslopes: '_subs_summary',
  channels: '_chns_summary',
  flowpaths: '_fps_summary',
};

const D = (name: string): ColumnSpec => ({ name, type: 'DOUBLE', nullable: true });
const I32 = (name: string): ColumnSpec => ({ name, type: 'INT32', nullable: true });
const I64 = (name: string): ColumnSpec => ({ name, type: 'INT64', nullable: true });
const CENTROID = [I64('centroid_px'), I64('centroid_py'), D('centroid_lon'), D('centroid_lat')];
const SHAPE = ['slope_scalar', 'length', 'width', 'direction'].map(D);
const SIZE = ['aspect', 'area', 'elevation'].map(D);

/** Column order and types of the real tool's `_write_legacy_parquet` (pandas Int32/Int64/float64, all nullable). */
export const SUMMARY_COLUMNS: Record<WatershedTable, ColumnSpec[]> = {
  hillslopes: [I32('topaz_id'), ...SHAPE, ...SIZE, ...CENTROID, I32('wepp_id')],
  channels: [I32('topaz_id'), ...SHAPE, I64('order'), ...SIZE, ...CENTROID, I32('wepp_id'), I32('chn_enum')],
  flowpaths: [I32('topaz_id'), I32('fp_id'), ...SHAPE, ...SIZE, I64('order'), ...CENTROID],
};

function entriesOf(v: PyValue | undefined): [string, PyValue][] {
  return v instanceof PyObj ? v.entries.filter(([k]) => !k.startsWith('py/')) : [];
}

function tupleOf(v: PyValue | undefined): PyValue[] | null {
  if (Array.isArray(v)) return v;
  const t = v instanceof PyObj ? v.get('py/tuple') : undefined;
  return Array.isArray(t) ? t : null;
}

/** int(float(value)) when it is an integer, else null (Python's `_coerce_int`). */
function toInt(v: PyValue | undefined): number | null {
  const f = toFloat(v);
  return f !== null && Number.isInteger(f) ? f : null;
}

// pandas' to_numeric: a missing float is NaN (Int64 columns keep null).
const num = (v: number | null): Cell => (v === null ? Number.NaN : v);

function centroid(summary: PyValue): Record<string, Cell> {
  const c = attr(summary, 'centroid');
  const px = tupleOf(attr(c, 'px'));
  const ll = tupleOf(attr(c, 'lnglat'));
  return {
    centroid_px: toInt(px?.[0]),
    centroid_py: toInt(px?.[1]),
    centroid_lon: num(toFloat(ll?.[0])),
    centroid_lat: num(toFloat(ll?.[1])),
  };
}

/** A Topaz id of a summary: an integer, or an error naming the file, key and value (never silently dropped). */
function topazOf(summary: PyValue, key: string, where: string): number {
  const raw = attr(summary, 'topaz_id') ?? key;
  const parsed = parseId(raw instanceof PyNum ? raw.value : raw);
  if (!parsed.ok)
    throw new RunDirError(
      `${WATERSHED_NODB}: ${where} "${key}": topaz_id ${JSON.stringify(raw instanceof PyNum ? raw.raw : raw)} is ${parsed.reason}`,
      { file: WATERSHED_NODB },
    );
  return parsed.value;
}

function measures(summary: PyValue): Record<string, Cell> {
  return Object.fromEntries(
    ['slope_scalar', 'length', 'width', 'direction', 'aspect', 'area', 'elevation'].map((k) => [
      k,
      num(toFloat(attr(summary, k))),
    ]),
  );
}

function summaryRows(state: PyObj, table: WatershedTable): Record<string, Cell>[] {
  const key = SUMMARY_KEYS[table];
  const rows: Record<string, Cell>[] = [];
  for (const [k, summary] of entriesOf(state.get(key))) {
    if (table === 'flowpaths') {
      for (const [flowKey, fp] of entriesOf(summary)) {
        if (!(fp instanceof PyObj)) continue;
        const parts = flowKey.split('_');
        const fpId = parts.length >= 2 && /^[+-]?\d+$/.test(parts.at(-1)!) ? Number(parts.at(-1)) : null;
        if (fpId === null)
          throw new RunDirError(
            `${WATERSHED_NODB}: ${key} "${k}" / "${flowKey}": no flowpath number after the last "_"`,
            { file: WATERSHED_NODB },
          );
        rows.push({ topaz_id: topazOf(fp, k, key), fp_id: fpId, ...measures(fp), order: null, ...centroid(fp) });
      }
      continue;
    }
    if (!(summary instanceof PyObj)) continue;
    const row: Record<string, Cell> = {
      topaz_id: topazOf(summary, k, key),
      ...measures(summary),
      ...centroid(summary),
      wepp_id: toInt(attr(summary, 'wepp_id')),
    };
    if (table === 'channels') {
      row.order = toInt(attr(summary, 'order') ?? attr(summary, '_order'));
      row.chn_enum = toInt(attr(summary, 'chn_enum'));
    }
    rows.push(row);
  }
  return rows;
}

/** The tables watershed.nodb's summaries give (only those with rows), when watershed/ has no table at all. */
export async function summaryTables(target: RunDirTarget): Promise<Partial<Record<WatershedTable, Table>> | null> {
  const nodb = await readNodb(target, WATERSHED_NODB);
  if (!nodb) return null;
  if (await hasAnyWatershedTable(target)) return null;
  const tables: Partial<Record<WatershedTable, Table>> = {};
  for (const table of WATERSHED_TABLES) {
    const rows = summaryRows(nodb.state, table);
    if (rows.length > 0) tables[table] = { columns: SUMMARY_COLUMNS[table].map((c) => ({ ...c })), rows };
  }
  return Object.keys(tables).length > 0 ? tables : null;
}

/**
 * Any CSV or parquet in watershed/ (the real tool's test), or a root `watershed.<name>.parquet` that 003 moves there.
 */
export async function hasAnyWatershedTable(target: RunDirTarget): Promise<boolean> {
  if ((await listFiles(target, 'watershed')).some((f) => f.endsWith('.parquet') || f.endsWith('.csv'))) return true;
  return (await listFiles(target)).some((f) => /^watershed\..+\.parquet$/.test(f));
}

export const watershedNodbSummariesTrait = defineTrait<RunDirTarget>({
  id: 'watershed-nodb-summaries-only',
  title: 'Watershed tables only as watershed.nodb summaries (no CSV or parquet)',
  fixes: ['009_watershed_tables_from_nodb'],
  async detect(target) {
    const tables = await summaryTables(target);
    if (!tables) return null;
    const counts = Object.fromEntries(Object.entries(tables).map(([t, v]) => [t, v.rows.length]));
    return {
      summary: `watershed/ has no table; ${WATERSHED_NODB} summaries give ${Object.entries(counts)
        .map(([t, n]) => `${t} (${n} rows)`)
        .join(', ')}`,
      details: { rows: counts },
    };
  },
});

async function tablePresent(target: RunDirTarget, table: WatershedTable): Promise<boolean> {
  for (const rel of [`watershed/${table}.parquet`, `watershed/${table}.csv`, `watershed.${table}.parquet`])
    if (await isFile(runPath(target, rel))) return true;
  return false;
}

/** Hillslope / channel tables missing in every form (file, root sidecar, summaries) while the other one exists. */
export async function missingWatershedTables(target: RunDirTarget): Promise<WatershedTable[]> {
  const nodb = await readNodb(target, WATERSHED_NODB);
  const present: Partial<Record<WatershedTable, boolean>> = {};
  for (const table of ['hillslopes', 'channels'] as const) {
    present[table] =
      (await tablePresent(target, table)) ||
      (!(await hasAnyWatershedTable(target)) && nodb !== null && summaryRows(nodb.state, table).length > 0);
  }
  if (!present.hillslopes && !present.channels) return [];
  return (['hillslopes', 'channels'] as const).filter((t) => !present[t]);
}

export const watershedTableMissingTrait = defineTrait<RunDirTarget>({
  id: 'watershed-table-missing',
  title: 'A watershed hillslope or channel table is missing entirely',
  fixes: [],
  external:
    'needs external regeneration: the watershed abstraction (wepppy peridot / TOPAZ) rebuilds watershed/{hillslopes,channels}.parquet',
  async detect(target) {
    const missing = await missingWatershedTables(target);
    if (missing.length === 0) return null;
    return {
      summary: `no watershed/${missing.join('/')} table (parquet, CSV, root sidecar or ${WATERSHED_NODB} summaries) while the other exists`,
      details: { missing },
    };
  },
});

// --- slimming ---

export const STRUCTURE_JSON = 'watershed/structure.json';

/**
 * A summary dict that still holds summary objects (not the `{"<id>": null}` placeholders), or any other non-null value.
 */
export function needsSlimming(v: PyValue | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (!(v instanceof PyObj)) return true;
  return v.entries.some(([, x]) => x !== null);
}

/** An inline `_structure` (rows of integers, lists or py/tuple) as plain integer rows; null when it is not one. */
export function inlineStructure(v: PyValue | undefined): number[][] | null {
  if (v === undefined || v === null || typeof v === 'string') return null;
  const rows = tupleOf(v);
  if (!rows) return null;
  const out: number[][] = [];
  for (const row of rows) {
    const cells = tupleOf(row);
    if (!cells) return null;
    const ints = cells.map((c) => toInt(c));
    if (ints.some((c) => c === null)) return null;
    out.push(ints as number[]);
  }
  return out;
}

export interface SlimFinding {
  keys: string[];
  structure: number[][] | null;
}

/**
 * What slimming would change. `planning`: the plan is computed once, before 003/004/009 write the parquet tables, so
 * a table counts when it will exist (parquet, CSV, root sidecar, or summaries 009 builds it from).
 */
export async function findSlimming(target: RunDirTarget, planning = false): Promise<SlimFinding | null> {
  const nodb = await readNodb(target, WATERSHED_NODB);
  if (!nodb) return null;
  const fromSummaries = planning && !(await hasAnyWatershedTable(target));
  for (const table of WATERSHED_TABLES) {
    const present = planning
      ? (await tablePresent(target, table)) || (fromSummaries && summaryRows(nodb.state, table).length > 0)
      : await isFile(runPath(target, `watershed/${table}.parquet`));
    if (!present) return null;
  }
  const keys = Object.values(SUMMARY_KEYS).filter((k) => needsSlimming(nodb.state.get(k)));
  // Only an inline structure is moved out: a pickled one (structure.pkl) needs Python to read.
  const structure = (await isFile(runPath(target, STRUCTURE_JSON)))
    ? null
    : inlineStructure(nodb.state.get('_structure'));
  return keys.length > 0 || structure ? { keys, structure } : null;
}

export const watershedNodbSlimTrait = defineTrait<RunDirTarget>({
  id: 'watershed-nodb-fat',
  title: 'watershed.nodb still holds the summaries the parquet tables replaced (or an inline _structure)',
  fixes: ['010_watershed_nodb_slim'],
  async detect(target) {
    const found = await findSlimming(target, true);
    if (!found) return null;
    return {
      summary: [
        ...found.keys.map((k) => `${WATERSHED_NODB}: ${k} holds summary objects`),
        ...(found.structure ? [`${WATERSHED_NODB}: inline _structure (${found.structure.length} rows)`] : []),
      ].join('; '),
      details: { keys: found.keys, inlineStructureRows: found.structure?.length ?? 0 },
    };
  },
});
