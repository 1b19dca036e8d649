// Builders of realistic WEPPcloud run contents (real column sets, jsonpickle .nodb, WBT GeoJSON), legacy
// and normalized, shared by the fast-check arbitrary and the golden fixture generator.
import { PyNum, PyObj, stringifyPyJson, type PyValue } from '../json/py-json.js';
import type { Cell, ColumnSpec, ColumnType } from '../tables/parquet.js';
import type { FileState } from '../run-state.js';

export interface Ids {
  topaz: number;
  wepp: number;
}

/** How a legacy id is stored: normalized Int32, legacy int64/double/string/" 12 " under TopazID/WeppID. */
export type IdForm = 'normalized' | 'int64' | 'double' | 'string' | 'spaces';

export function hillslopeIds(n: number): Ids[] {
  return Array.from({ length: n }, (_, i) => ({ topaz: 10 * (i + 2) + (i % 3) + 1, wepp: i + 1 }));
}
export function channelIds(n: number, after: number): Ids[] {
  return Array.from({ length: n }, (_, i) => ({ topaz: 10 * (i + 2) + 4, wepp: after + i + 1 }));
}

const r2 = (x: number) => Math.round(x * 100) / 100;
function core(id: number): Record<string, Cell> {
  return {
    slope_scalar: r2(0.05 + (id % 17) / 50),
    length: r2(40 + (id % 13) * 11.5),
    width: r2(20 + (id % 7) * 3.25),
    direction: r2((id * 37) % 360),
    aspect: r2((id * 53) % 360),
    area: r2(1000 + id * 12.5),
    elevation: r2(1100 + (id % 29) * 4.5),
    centroid_px: 100 + id,
    centroid_py: 200 + ((id * 3) % 97),
    centroid_lon: r2(-116.5 + id / 1000) ,
    centroid_lat: r2(46.7 + id / 2000),
  };
}
const CORE_COLUMNS: ColumnSpec[] = [
  { name: 'slope_scalar', type: 'DOUBLE', nullable: true },
  { name: 'length', type: 'DOUBLE', nullable: true },
  { name: 'width', type: 'DOUBLE', nullable: true },
  { name: 'direction', type: 'DOUBLE', nullable: true },
  { name: 'aspect', type: 'DOUBLE', nullable: true },
  { name: 'area', type: 'DOUBLE', nullable: true },
  { name: 'elevation', type: 'DOUBLE', nullable: true },
  { name: 'centroid_px', type: 'INT64', nullable: true },
  { name: 'centroid_py', type: 'INT64', nullable: true },
  { name: 'centroid_lon', type: 'DOUBLE', nullable: true },
  { name: 'centroid_lat', type: 'DOUBLE', nullable: true },
];

function idCell(value: number, form: IdForm): Cell {
  if (form === 'string') return String(value);
  if (form === 'spaces') return ` ${value} `;
  return value;
}
function idType(form: IdForm): ColumnType {
  return form === 'normalized' ? 'INT32' : form === 'int64' ? 'INT64' : form === 'double' ? 'DOUBLE' : 'STRING';
}

export type WatershedKind = 'hillslopes' | 'channels' | 'flowpaths';

export interface TableSpec {
  columns: ColumnSpec[];
  rows: Record<string, Cell>[];
}

/** A watershed table in the given id form; `extraIds` names per-table ids (chn_enum, fp_id). */
export function watershedTable(kind: WatershedKind, ids: Ids[], form: IdForm, opts: { withWepp?: boolean; withChnEnum?: boolean } = {}): TableSpec {
  const legacy = form !== 'normalized';
  const topazName = legacy ? 'TopazID' : 'topaz_id';
  const weppName = legacy ? 'WeppID' : 'wepp_id';
  const withWepp = opts.withWepp ?? kind !== 'flowpaths';
  const withChnEnum = kind === 'channels' && (opts.withChnEnum ?? true);
  const columns: ColumnSpec[] = [{ name: topazName, type: idType(form), nullable: legacy }];
  if (withWepp) columns.push({ name: weppName, type: idType(form), nullable: legacy });
  if (withChnEnum) columns.push({ name: 'chn_enum', type: legacy ? 'INT64' : 'INT32', nullable: legacy });
  if (kind === 'flowpaths') columns.push({ name: 'fp_id', type: legacy ? 'INT64' : 'INT32', nullable: legacy });
  columns.push(...CORE_COLUMNS);
  if (kind !== 'hillslopes') columns.push({ name: 'order', type: 'INT64', nullable: true });
  const rows = ids.map((id, i) => {
    const row: Record<string, Cell> = { [topazName]: idCell(id.topaz, form) };
    if (withWepp) row[weppName] = idCell(id.wepp, form);
    if (withChnEnum) row.chn_enum = i + 1;
    if (kind === 'flowpaths') row.fp_id = i + 1;
    Object.assign(row, core(id.topaz));
    if (kind !== 'hillslopes') row.order = (id.topaz % 3) + 1;
    return row;
  });
  return { columns, rows };
}

export function parquetFile(t: TableSpec, metadata: { key: string; value?: string }[] = []): FileState {
  return { parquet: { columns: t.columns, rows: t.rows, metadata } };
}

/** pandas' to_csv: an unnamed index column first, floats as repr, NaN as empty. */
export function csvFile(t: TableSpec, index = true): FileState {
  const cell = (v: Cell) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  const header = [...(index ? [''] : []), ...t.columns.map((c) => c.name)].join(',');
  const lines = t.rows.map((r, i) => [...(index ? [String(i)] : []), ...t.columns.map((c) => cell(r[c.name] ?? null))].join(','));
  return { text: [header, ...lines].join('\n') + '\n' };
}

/** A pandas-style `pandas` metadata entry (stale after a rename; the migrations drop it). */
export function pandasMetadata(t: TableSpec): { key: string; value: string }[] {
  return [{ key: 'pandas', value: JSON.stringify({ index_columns: [], columns: t.columns.map((c) => ({ name: c.name, field_name: c.name, pandas_type: c.type.toLowerCase() })), pandas_version: '1.5.3' }) }];
}

export type ControllerKind = 'landuse' | 'soils';

export function controllerTable(kind: ControllerKind, topaz: (number | string | null)[], legacy: boolean, wepp?: (number | null)[]): TableSpec {
  const ids: ColumnSpec[] = legacy
    ? [{ name: 'TopazID', type: topaz.some((t) => typeof t === 'string') ? 'STRING' : 'INT64', nullable: true }]
    : [{ name: 'topaz_id', type: 'INT32', nullable: true }, { name: 'wepp_id', type: 'INT32', nullable: true }];
  const areaName = legacy ? 'Area' : 'area';
  const body: ColumnSpec[] =
    kind === 'landuse'
      ? [
          { name: 'key', type: 'INT64', nullable: true },
          { name: '_map', type: 'STRING', nullable: true },
          { name: 'man_fn', type: 'STRING', nullable: true },
          { name: 'man_dir', type: 'STRING', nullable: true },
          { name: 'desc', type: 'STRING', nullable: true },
          { name: 'color', type: 'STRING', nullable: true },
          { name: areaName, type: 'DOUBLE', nullable: true },
          { name: 'pct_coverage', type: 'DOUBLE', nullable: true },
          { name: 'cancov', type: 'DOUBLE', nullable: true },
          { name: 'inrcov', type: 'DOUBLE', nullable: true },
          { name: 'rilcov', type: 'DOUBLE', nullable: true },
        ]
      : [
          { name: 'mukey', type: 'STRING', nullable: true },
          { name: 'fname', type: 'STRING', nullable: true },
          { name: 'soils_dir', type: 'STRING', nullable: true },
          { name: 'build_date', type: 'STRING', nullable: true },
          { name: 'desc', type: 'STRING', nullable: true },
          { name: 'color', type: 'STRING', nullable: true },
          { name: areaName, type: 'DOUBLE', nullable: true },
          { name: 'pct_coverage', type: 'DOUBLE', nullable: true },
          { name: 'clay', type: 'DOUBLE', nullable: true },
          { name: 'sand', type: 'DOUBLE', nullable: true },
          { name: 'll', type: 'DOUBLE', nullable: true },
          { name: 'simple_texture', type: 'STRING', nullable: true },
        ];
  const rows = topaz.map((t, i) => {
    const row: Record<string, Cell> = legacy ? { TopazID: t } : { topaz_id: t, wepp_id: wepp?.[i] ?? null };
    const n = typeof t === 'number' ? t : i + 1;
    if (kind === 'landuse') {
      Object.assign(row, { key: [42, 43, 105][n % 3]!, _map: null, man_fn: ['forest.man', 'grass.man', 'shrub.man'][n % 3]!, man_dir: 'wepppy/wepp/management/data/UnDisturbed', desc: ['Forest', 'Grassland', 'Shrubland'][n % 3]!, color: ['#1c6330', '#d1d182', '#b38f59'][n % 3]!, [areaName]: r2(1000 + n * 12.5), pct_coverage: r2(100 / topaz.length), cancov: 0.5, inrcov: 0.5, rilcov: 0.4 });
    } else {
      Object.assign(row, { mukey: String(2_400_000 + (n % 5)), fname: `${2_400_000 + (n % 5)}.sol`, soils_dir: 'soils', build_date: '2019-06-01 12:00:00', desc: 'Silt loam', color: '#a3a3a3', [areaName]: r2(1000 + n * 12.5), pct_coverage: r2(100 / topaz.length), clay: 18.5, sand: 22.0, ll: 31.0, simple_texture: 'silt loam' });
    }
    return row;
  });
  return { columns: [...ids, ...body], rows };
}

export type GeoIdForm = 'int' | 'string' | 'float' | 'spaces';
function geoId(v: number, form: GeoIdForm): PyValue {
  if (form === 'string') return String(v);
  if (form === 'spaces') return ` ${v} `;
  if (form === 'float') return new PyNum(`${v}.0`);
  return new PyNum(String(v));
}

export function wbtGeojson(kind: 'channels' | 'subcatchments', ids: Ids[], form: GeoIdForm, extra: { nanArea?: boolean } = {}): FileState {
  const features = ids.map((id, i) => {
    const x = -116.5 + i / 100;
    const props: [string, PyValue][] = [['TopazID', geoId(id.topaz, form)]];
    if (kind === 'subcatchments') props.push(['WeppID', geoId(id.wepp, form)], ['area_m2', extra.nanArea && i === 0 ? new PyNum('NaN') : new PyNum(`${1000 + id.topaz}.5`)]);
    else props.push(['Order', geoId((id.topaz % 3) + 1, form)]);
    const coords = kind === 'channels'
      ? [[new PyNum(x.toFixed(4)), new PyNum('46.7')], [new PyNum((x + 0.005).toFixed(4)), new PyNum('46.705')]]
      : [[[new PyNum(x.toFixed(4)), new PyNum('46.7')], [new PyNum((x + 0.01).toFixed(4)), new PyNum('46.7')], [new PyNum((x + 0.01).toFixed(4)), new PyNum('46.71')], [new PyNum(x.toFixed(4)), new PyNum('46.7')]]];
    return new PyObj([
      ['type', 'Feature'],
      ['properties', new PyObj(props)],
      ['geometry', new PyObj([['type', kind === 'channels' ? 'LineString' : 'Polygon'], ['coordinates', coords]])],
    ]);
  });
  return { text: stringifyPyJson(new PyObj([['type', 'FeatureCollection'], ['name', kind], ['features', features]])) };
}

export type WdForm = 'current' | 'wc1' | 'weppcloud_runs';
export function wdFor(runId: string, form: WdForm): string {
  if (form === 'wc1') return `/geodata/wc1/runs/${runId.slice(0, 2)}/${runId}`;
  if (form === 'weppcloud_runs') return `/geodata/weppcloud_runs/${runId}`;
  return '{RUN_DIR}';
}

export const CONTROLLERS: Record<string, string> = {
  ron: 'wepppy.nodb.core.ron.Ron',
  watershed: 'wepppy.nodb.core.watershed.Watershed',
  landuse: 'wepppy.nodb.core.landuse.Landuse',
  soils: 'wepppy.nodb.core.soils.Soils',
  climate: 'wepppy.nodb.core.climate.Climate',
  wepp: 'wepppy.nodb.core.wepp.Wepp',
  topaz: 'wepppy.nodb.topaz.Topaz',
};

/** A jsonpickle `.nodb` file: flat (old) or nested under py/state; paths under `wd`; NaN kept. */
export function nodbFile(controller: string, wd: string, flat: boolean, opts: { nan?: boolean; indent?: boolean } = {}): FileState {
  const state = new PyObj([
    ['wd', wd],
    ['_config', 'disturbed9002.cfg'],
    [`_${controller}_dir`, `${wd}/${controller}`],
    ['_cellsize', new PyNum('30.0')],
    ['_mode', new PyObj([['py/reduce', [new PyObj([['py/type', `wepppy.nodb.core.${controller}.Mode`]]), [new PyNum('0')]]]])],
    ['_summary', opts.nan ? new PyObj([['mean_slope', new PyNum('NaN')], ['22', new PyNum('1.5')], ['11', new PyNum('2')]]) : null],
    ['_files', [`${wd}/${controller}/a.txt`, 'relative/b.txt']],
  ]);
  const cls = CONTROLLERS[controller] ?? `wepppy.nodb.${controller}.${controller[0]!.toUpperCase()}${controller.slice(1)}`;
  const value = flat ? new PyObj([['py/object', cls], ...state.entries]) : new PyObj([['py/object', cls], ['py/state', state]]);
  return { text: stringifyPyJson(value, { indent: opts.indent ? 2 : null, trailingNewline: false }) };
}
