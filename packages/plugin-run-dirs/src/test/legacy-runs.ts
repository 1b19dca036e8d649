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
    centroid_lon: r2(-116.5 + id / 1000),
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
export function watershedTable(
  kind: WatershedKind,
  ids: Ids[],
  form: IdForm,
  opts: { withWepp?: boolean; withChnEnum?: boolean } = {},
): TableSpec {
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
  const cell = (v: Cell) =>
    v === null || (typeof v === 'number' && Number.isNaN(v))
      ? ''
      : typeof v === 'string' && /[",\n]/.test(v)
        ? `"${v.replace(/"/g, '""')}"`
        : String(v);
  const header = [...(index ? [''] : []), ...t.columns.map((c) => c.name)].join(',');
  const lines = t.rows.map((r, i) =>
    [...(index ? [String(i)] : []), ...t.columns.map((c) => cell(r[c.name] ?? null))].join(','),
  );
  return { text: [header, ...lines].join('\n') + '\n' };
}

/** A pandas-style `pandas` metadata entry (stale after a rename; the migrations drop it). */
export function pandasMetadata(t: TableSpec): { key: string; value: string }[] {
  return [
    {
      key: 'pandas',
      value: JSON.stringify({
        index_columns: [],
        columns: t.columns.map((c) => ({ name: c.name, field_name: c.name, pandas_type: c.type.toLowerCase() })),
        pandas_version: '1.5.3',
      }),
    },
  ];
}

export type ControllerKind = 'landuse' | 'soils';

export function controllerTable(
  kind: ControllerKind,
  topaz: (number | string | null)[],
  legacy: boolean,
  wepp?: (number | null)[],
): TableSpec {
  const ids: ColumnSpec[] = legacy
    ? [{ name: 'TopazID', type: topaz.some((t) => typeof t === 'string') ? 'STRING' : 'INT64', nullable: true }]
    : [
        { name: 'topaz_id', type: 'INT32', nullable: true },
        { name: 'wepp_id', type: 'INT32', nullable: true },
      ];
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
      Object.assign(row, {
        key: [42, 43, 105][n % 3]!,
        _map: null,
        man_fn: ['forest.man', 'grass.man', 'shrub.man'][n % 3]!,
        man_dir: 'wepppy/wepp/management/data/UnDisturbed',
        desc: ['Forest', 'Grassland', 'Shrubland'][n % 3]!,
        color: ['#1c6330', '#d1d182', '#b38f59'][n % 3]!,
        [areaName]: r2(1000 + n * 12.5),
        pct_coverage: r2(100 / topaz.length),
        cancov: 0.5,
        inrcov: 0.5,
        rilcov: 0.4,
      });
    } else {
      Object.assign(row, {
        mukey: String(2_400_000 + (n % 5)),
        fname: `${2_400_000 + (n % 5)}.sol`,
        soils_dir: 'soils',
        build_date: '2019-06-01 12:00:00',
        desc: 'Silt loam',
        color: '#a3a3a3',
        [areaName]: r2(1000 + n * 12.5),
        pct_coverage: r2(100 / topaz.length),
        clay: 18.5,
        sand: 22.0,
        ll: 31.0,
        simple_texture: 'silt loam',
      });
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

export function wbtGeojson(
  kind: 'channels' | 'subcatchments',
  ids: Ids[],
  form: GeoIdForm,
  extra: { nanArea?: boolean } = {},
): FileState {
  const features = ids.map((id, i) => {
    const x = -116.5 + i / 100;
    const props: [string, PyValue][] = [['TopazID', geoId(id.topaz, form)]];
    if (kind === 'subcatchments')
      props.push(
        ['WeppID', geoId(id.wepp, form)],
        ['area_m2', extra.nanArea && i === 0 ? new PyNum('NaN') : new PyNum(`${1000 + id.topaz}.5`)],
      );
    else props.push(['Order', geoId((id.topaz % 3) + 1, form)]);
    const coords =
      kind === 'channels'
        ? [
            [new PyNum(x.toFixed(4)), new PyNum('46.7')],
            [new PyNum((x + 0.005).toFixed(4)), new PyNum('46.705')],
          ]
        : [
            [
              [new PyNum(x.toFixed(4)), new PyNum('46.7')],
              [new PyNum((x + 0.01).toFixed(4)), new PyNum('46.7')],
              [new PyNum((x + 0.01).toFixed(4)), new PyNum('46.71')],
              [new PyNum(x.toFixed(4)), new PyNum('46.7')],
            ],
          ];
    return new PyObj([
      ['type', 'Feature'],
      ['properties', new PyObj(props)],
      [
        'geometry',
        new PyObj([
          ['type', kind === 'channels' ? 'LineString' : 'Polygon'],
          ['coordinates', coords],
        ]),
      ],
    ]);
  });
  return {
    text: stringifyPyJson(
      new PyObj([
        ['type', 'FeatureCollection'],
        ['name', kind],
        ['features', features],
      ]),
    ),
  };
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
export function nodbFile(
  controller: string,
  wd: string,
  flat: boolean,
  opts: { nan?: boolean; indent?: boolean } = {},
): FileState {
  const state = new PyObj([
    ['wd', wd],
    ['_config', 'disturbed9002.cfg'],
    [`_${controller}_dir`, `${wd}/${controller}`],
    ['_cellsize', new PyNum('30.0')],
    [
      '_mode',
      new PyObj([['py/reduce', [new PyObj([['py/type', `wepppy.nodb.core.${controller}.Mode`]]), [new PyNum('0')]]]]),
    ],
    [
      '_summary',
      opts.nan
        ? new PyObj([
            ['mean_slope', new PyNum('NaN')],
            ['22', new PyNum('1.5')],
            ['11', new PyNum('2')],
          ])
        : null,
    ],
    ['_files', [`${wd}/${controller}/a.txt`, 'relative/b.txt']],
  ]);
  const cls =
    CONTROLLERS[controller] ?? `wepppy.nodb.${controller}.${controller[0]!.toUpperCase()}${controller.slice(1)}`;
  const value = flat
    ? new PyObj([['py/object', cls], ...state.entries])
    : new PyObj([
        ['py/object', cls],
        ['py/state', state],
      ]);
  return { text: stringifyPyJson(value, { indent: opts.indent ? 2 : null, trailingNewline: false }) };
}

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');
/** 16-byte big-endian two's complement of an unscaled decimal, base64 (a FIXED_LEN_BYTE_ARRAY(16) DECIMAL cell). */
function decimalBytes(unscaled: bigint, length: number): string {
  const out: number[] = [];
  let v = BigInt.asUintN(length * 8, unscaled);
  for (let i = 0; i < length; i++) {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return b64(out);
}

/**
 * One extra column for every parquet type hyparquet-writer writes (carried through untouched by the steps):
 * physical cells, as `readParquet` returns them. `n` rows; the last row is null where the column is nullable.
 */
export function everyTypeColumns(n: number): { columns: ColumnSpec[]; cell: (i: number) => Record<string, Cell> } {
  const raw = (name: string, element: ColumnSpec['element'], nullable = true): ColumnSpec => ({
    name,
    type: 'RAW',
    nullable,
    ...(element ? { element } : {}),
  });
  const int = (bitWidth: number, isSigned: boolean) => ({ type: 'INTEGER' as const, bitWidth, isSigned });
  const columns: ColumnSpec[] = [
    { name: 'x_bool', type: 'BOOLEAN', nullable: true },
    { name: 'x_int32_nullable', type: 'INT32', nullable: true },
    { name: 'x_int64_nullable', type: 'INT64', nullable: true },
    { name: 'x_float', type: 'FLOAT', nullable: true },
    { name: 'x_double_nan', type: 'DOUBLE', nullable: true },
    { name: 'x_string_dictionary', type: 'STRING', nullable: true },
    raw('x_int8', { type: 'INT32', converted_type: 'INT_8', logical_type: int(8, true) }),
    raw('x_int16', { type: 'INT32', converted_type: 'INT_16', logical_type: int(16, true) }),
    raw('x_uint8', { type: 'INT32', converted_type: 'UINT_8', logical_type: int(8, false) }),
    raw('x_uint16', { type: 'INT32', converted_type: 'UINT_16', logical_type: int(16, false) }),
    raw('x_uint32', { type: 'INT32', converted_type: 'UINT_32', logical_type: int(32, false) }),
    raw('x_uint64', { type: 'INT64', converted_type: 'UINT_64', logical_type: int(64, false) }),
    raw('x_decimal_int32', {
      type: 'INT32',
      converted_type: 'DECIMAL',
      scale: 2,
      precision: 9,
      logical_type: { type: 'DECIMAL', scale: 2, precision: 9 },
    }),
    raw('x_decimal_int64', {
      type: 'INT64',
      converted_type: 'DECIMAL',
      scale: 4,
      precision: 18,
      logical_type: { type: 'DECIMAL', scale: 4, precision: 18 },
    }),
    raw('x_decimal_fixed', {
      type: 'FIXED_LEN_BYTE_ARRAY',
      type_length: 16,
      converted_type: 'DECIMAL',
      scale: 10,
      precision: 38,
      logical_type: { type: 'DECIMAL', scale: 10, precision: 38 },
    }),
    raw('x_decimal_bytes', {
      type: 'BYTE_ARRAY',
      converted_type: 'DECIMAL',
      scale: 3,
      precision: 20,
      logical_type: { type: 'DECIMAL', scale: 3, precision: 20 },
    }),
    raw('x_date', { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } }),
    raw('x_time_millis', {
      type: 'INT32',
      converted_type: 'TIME_MILLIS',
      logical_type: { type: 'TIME', isAdjustedToUTC: true, unit: 'MILLIS' },
    }),
    raw('x_time_micros', {
      type: 'INT64',
      converted_type: 'TIME_MICROS',
      logical_type: { type: 'TIME', isAdjustedToUTC: true, unit: 'MICROS' },
    }),
    raw('x_timestamp_millis', {
      type: 'INT64',
      converted_type: 'TIMESTAMP_MILLIS',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
    }),
    raw('x_timestamp_micros', {
      type: 'INT64',
      converted_type: 'TIMESTAMP_MICROS',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' },
    }),
    raw('x_timestamp_nanos', {
      type: 'INT64',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'NANOS' },
    }),
    raw('x_binary', { type: 'BYTE_ARRAY' }),
    raw('x_fixed4', { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 4 }),
    raw('x_uuid', { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' } }),
    raw('x_float16', { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 2, logical_type: { type: 'FLOAT16' } }),
    raw('x_json', { type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' } }),
    raw('x_enum', { type: 'BYTE_ARRAY', converted_type: 'ENUM', logical_type: { type: 'ENUM' } }),
    raw('x_interval', { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 12, converted_type: 'INTERVAL' }),
    raw('x_geometry', { type: 'BYTE_ARRAY', logical_type: { type: 'GEOMETRY' } }),
  ];
  const text = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const cell = (i: number): Record<string, Cell> => {
    if (i === n - 1)
      return Object.fromEntries(columns.map((c) => [c.name, c.name === 'x_double_nan' ? Number.NaN : null]));
    return {
      x_bool: i % 2 === 0,
      x_int32_nullable: i === 1 ? null : i * 7,
      x_int64_nullable: i === 0 ? 9_007_199_254_740_991 : i === 1 ? '-9007199254740993' : null,
      x_float: i + 0.5,
      x_double_nan: i === 0 ? Number.NaN : i / 8,
      x_string_dictionary: ['Forest', 'Grassland'][i % 2]!,
      x_int8: -100 + i,
      x_int16: -30_000 + i,
      x_uint8: 250 + i,
      x_uint16: 65_000 + i,
      x_uint32: -1 - i, // 4294967295 - i, as the physical INT32
      x_uint64: -1 - i, // 2^64 - 1 - i, as the physical INT64
      x_decimal_int32: 123_456 + i, // 1234.56
      x_decimal_int64: '123456789012345678',
      x_decimal_fixed: decimalBytes(-12345678901234567890123456789012345678n + BigInt(i), 16),
      x_decimal_bytes: b64([0x7f, 0xff, 0xff, 0xff, 0xff, i]),
      x_date: 18_048 + i * 400, // 2019-06-01
      x_time_millis: 45_296_789 + i,
      x_time_micros: 45_296_789_123 + i,
      x_timestamp_millis: -500 + i * 3_600_000,
      x_timestamp_micros: 1_559_390_400_123_456 + i,
      x_timestamp_nanos: '1612325106123456789',
      x_binary: b64([0, 255, 1, i]),
      x_fixed4: b64([0xde, 0xad, 0xbe, i]),
      x_uuid: b64([0x8a, 0x3c, 0x1b, 0x2e, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, i]),
      x_float16: b64([0x00, 0x3c + i]), // 1.0, 2.0, ...
      x_json: text(`{"a": ${i}, "b": [1, 2]}`),
      x_enum: text(['x', 'y', 'z'][i % 3]!),
      x_interval: b64([1, 0, 0, 0, 2 + i, 0, 0, 0, 3, 0, 0, 0]),
      x_geometry: b64([1, 1, 0, 0, 0, ...new Uint8Array(new Float64Array([-116.5 + i, 46.7]).buffer)]),
    };
  };
  return { columns, cell };
}

/** A table with every extra column of `everyTypeColumns` appended. */
export function withEveryType(t: TableSpec): TableSpec {
  const extra = everyTypeColumns(t.rows.length);
  return { columns: [...t.columns, ...extra.columns], rows: t.rows.map((r, i) => ({ ...r, ...extra.cell(i) })) };
}

const SUPPORT = 'wepppy.topo.watershed_abstraction.support';
function summaryObj(
  kind: 'HillSummary' | 'ChannelSummary' | 'FlowpathSummary',
  id: Ids,
  extra: [string, PyValue][],
  opts: { wepp: boolean },
): PyObj {
  const c = core(id.topaz);
  const n = (v: Cell) => PyNum.of(v as number);
  return new PyObj([
    ['py/object', `${SUPPORT}.${kind}`],
    ['topaz_id', PyNum.of(id.topaz)],
    ...(opts.wepp && kind !== 'FlowpathSummary' ? ([['wepp_id', PyNum.of(id.wepp)]] as [string, PyValue][]) : []),
    ['slope_scalar', n(c.slope_scalar!)],
    ['length', n(c.length!)],
    ['width', n(c.width!)],
    ['direction', n(c.direction!)],
    ['aspect', n(c.aspect!)],
    ['area', n(c.area!)],
    ['elevation', n(c.elevation!)],
    [
      'centroid',
      new PyObj([
        ['py/object', `${SUPPORT}.Centroid`],
        ['px', new PyObj([['py/tuple', [n(c.centroid_px!), n(c.centroid_py!)]]])],
        ['lnglat', new PyObj([['py/tuple', [n(c.centroid_lon!), n(c.centroid_lat!)]]])],
      ]),
    ],
    ['fname', `watershed/slope_files/hillslopes/hill_${id.topaz}.slp`],
    ...extra,
  ]);
}

/**
 * watershed.nodb of a run from before the Peridot tables: `_subs_summary`, `_chns_summary`, `_fps_summary` hold one
 * summary object per hillslope / channel / flowpath; `_structure` inline. `wepp: false` leaves the WEPP ids out.
 */
export function watershedNodbWithSummaries(
  wd: string,
  hills: Ids[],
  chans: Ids[],
  opts: { wepp?: boolean; flat?: boolean; structure?: boolean } = {},
): FileState {
  const wepp = opts.wepp ?? true;
  const subs = new PyObj(hills.map((h) => [String(h.topaz), summaryObj('HillSummary', h, [], { wepp })]));
  const chns = new PyObj(
    chans.map((ch, i) => [
      String(ch.topaz),
      summaryObj(
        'ChannelSummary',
        ch,
        [
          ['order', PyNum.of((ch.topaz % 3) + 1)],
          ...(wepp ? ([['chn_enum', PyNum.of(i + 1)]] as [string, PyValue][]) : []),
        ],
        { wepp },
      ),
    ]),
  );
  const fps = new PyObj(
    hills.map((h) => [
      String(h.topaz),
      new PyObj(
        [1, 2].map((k) => [
          `fp_${h.topaz}_${k}`,
          summaryObj('FlowpathSummary', { topaz: h.topaz, wepp: h.wepp }, [], { wepp: false }),
        ]),
      ),
    ]),
  );
  const structure = opts.structure
    ? [
        [...chans.map((c) => PyNum.of(c.topaz)), ...hills.slice(0, 3).map((h) => PyNum.of(h.topaz))],
        ...chans.map((c) => new PyObj([['py/tuple', [PyNum.of(c.topaz), PyNum.of(0), PyNum.of(0)]]])),
      ]
    : null;
  const state = new PyObj([
    ['wd', wd],
    ['_delineation_backend', PyNum.of(1)],
    ['_subs_summary', subs],
    ['_chns_summary', chns],
    ['_fps_summary', fps],
    ['_structure', structure],
    ['_wsarea', PyNum.of(123.5)],
  ]);
  const cls = 'wepppy.nodb.core.watershed.Watershed';
  const value = opts.flat
    ? new PyObj([['py/object', cls], ...state.entries])
    : new PyObj([
        ['py/object', cls],
        ['py/state', state],
      ]);
  return { text: stringifyPyJson(value, { indent: 2, trailingNewline: false }) };
}

/** soils.nodb with SoilSummary objects per mukey: legacy `_meta_fn` .json and a relative `soils_dir` when `legacy`. */
export function soilsNodbWithSummaries(runId: string, wd: string, mukeys: string[], legacy: boolean): FileState {
  const soils = new PyObj(
    mukeys.map((m, i) => [
      m,
      new PyObj([
        ['py/object', 'wepppy.soils.ssurgo.SoilSummary'],
        ['mukey', m],
        ['fname', `${m}.sol`],
        ['soils_dir', legacy ? (i % 2 === 0 ? `${runId}/soils` : `/geodata/old-host/${runId}/soils`) : `${wd}/soils`],
        ['build_date', '2019-06-01 12:00:00'],
        ['desc', 'Silt loam'],
        ['_meta_fn', legacy ? `${m}.json` : null],
        ['pct_coverage', PyNum.of(100 / mukeys.length)],
      ]),
    ]),
  );
  const state = new PyObj([
    ['wd', wd],
    ['_soils_dir', `${wd}/soils`],
    ['domsoil_d', new PyObj(mukeys.map((m, i) => [String(10 * (i + 2) + 1), m]))],
    ['soils', soils],
  ]);
  return {
    text: stringifyPyJson(
      new PyObj([
        ['py/object', CONTROLLERS.soils!],
        ['py/state', state],
      ]),
      { indent: 2, trailingNewline: false },
    ),
  };
}
