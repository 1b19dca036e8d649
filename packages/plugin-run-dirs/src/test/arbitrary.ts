// fast-check: legacy run directories as WEPPcloud has them (any mix of the seven legacy shapes), and one in
// four already in today's layout, whose steps are mostly or all baselined (only the stamp moves).
import fc from 'fast-check';
import type { FileState, RunState } from '../run-state.js';
import {
  channelIds,
  controllerTable,
  csvFile,
  hillslopeIds,
  nodbFile,
  pandasMetadata,
  parquetFile,
  watershedTable,
  wbtGeojson,
  wdFor,
  withEveryType,
  soilsNodbWithSummaries,
  watershedNodbWithSummaries,
  type IdForm,
  type WatershedKind,
} from './legacy-runs.js';

type TableForm = 'absent' | 'csv' | 'both' | IdForm;
const tableForm = fc.constantFrom<TableForm>(
  'absent',
  'csv',
  'both',
  'normalized',
  'int64',
  'double',
  'string',
  'spaces',
);
const controllerForm = fc.constantFrom(
  'absent',
  'root-legacy',
  'folder-legacy',
  'folder-normalized',
  'root-normalized',
);

const legacyShape = fc
  .record({
    runId: fc.constantFrom('ab-lively-run', 'xy-mossy-creek', 'co_fire2021'),
    nodb: fc.subarray(['ron', 'watershed', 'landuse', 'soils', 'climate', 'topaz'], { minLength: 1 }),
    flat: fc.boolean(),
    wd: fc.constantFrom('current', 'wc1', 'weppcloud_runs') as fc.Arbitrary<'current' | 'wc1' | 'weppcloud_runs'>,
    nan: fc.boolean(),
    indent: fc.boolean(),
    nHill: fc.integer({ min: 1, max: 5 }),
    nChn: fc.integer({ min: 0, max: 3 }),
    // legacy tables with only TopazID: WEPP ids from the Topaz translator
    noWepp: fc.boolean(),
    // watershed.nodb with the pre-Peridot summaries / soils.nodb with SoilSummary objects / observed.nodb's old class
    wsSummaries: fc.boolean(),
    soilSummaries: fc.boolean(),
    observed: fc.boolean(),
    // legacy tables carrying a column of every parquet type
    everyType: fc.boolean(),
    hills: tableForm,
    chans: tableForm,
    flows: tableForm,
    geo: fc.constantFrom('absent', 'int', 'string', 'float', 'spaces') as fc.Arbitrary<
      'absent' | 'int' | 'string' | 'float' | 'spaces'
    >,
    landuse: controllerForm,
    soils: controllerForm,
    sidecar: fc.boolean(),
    ash: fc.boolean(),
    interchange: fc.boolean(),
    version: fc.constantFrom<string | null>(null, '', 'garbage\n', '0\n'),
  })
  // A run whose steps may all be baselined gets its stamp raised without a snapshot; down puts back a usable
  // marker or removes one that was absent, but writes an unusable one ('', 'garbage', '0') back as the
  // version it read as. Such runs get a step (whose snapshot restores the bytes) unless the marker is absent.
  .filter((a) => a.wd !== 'current' || a.flat || a.version === null);

type Shape = typeof legacyShape extends fc.Arbitrary<infer S> ? S : never;

const currentShape: fc.Arbitrary<Shape> = fc.record({
  runId: fc.constantFrom('ab-lively-run', 'xy-mossy-creek', 'co_fire2021'),
  // No .nodb at all: a new run, read as CURRENT_VERSION.
  nodb: fc.subarray(['ron', 'watershed', 'landuse', 'soils', 'climate', 'topaz']),
  flat: fc.constant(false),
  wd: fc.constant('current' as const),
  nan: fc.constant(false),
  indent: fc.boolean(),
  nHill: fc.integer({ min: 1, max: 5 }),
  nChn: fc.integer({ min: 0, max: 3 }),
  noWepp: fc.constant(false),
  wsSummaries: fc.constant(false),
  soilSummaries: fc.constant(false),
  observed: fc.constant(false),
  everyType: fc.constant(false),
  hills: fc.constantFrom<TableForm>('absent', 'normalized'),
  chans: fc.constantFrom<TableForm>('absent', 'normalized'),
  flows: fc.constantFrom<TableForm>('absent', 'normalized'),
  geo: fc.constantFrom('absent' as const, 'int' as const),
  landuse: fc.constantFrom('absent', 'folder-normalized'),
  soils: fc.constantFrom('absent', 'folder-normalized'),
  sidecar: fc.constant(false),
  ash: fc.boolean(),
  interchange: fc.boolean(),
  version: fc.constantFrom<string | null>(null, '1000\n', '1003\n'),
});

export const legacyRunArbitrary: fc.Arbitrary<RunState> = fc
  .oneof({ arbitrary: legacyShape, weight: 3 }, { arbitrary: currentShape, weight: 1 })
  .map((a) => {
    const files: Record<string, FileState> = {};
    const hills = hillslopeIds(a.nHill);
    const chans = channelIds(a.nChn, a.nHill);
    for (const c of a.nodb)
      files[`${c}.nodb`] = nodbFile(c, wdFor(a.runId, a.wd), a.flat, { nan: a.nan, indent: a.indent });
    if (a.wsSummaries && a.nodb.includes('watershed'))
      files['watershed.nodb'] = watershedNodbWithSummaries(wdFor(a.runId, a.wd), hills, chans, {
        wepp: !a.noWepp,
        flat: a.flat,
        structure: true,
      });
    if (a.soilSummaries && a.nodb.includes('soils'))
      files['soils.nodb'] = soilsNodbWithSummaries(a.runId, wdFor(a.runId, a.wd), ['2400001', '2400002'], true);
    if (a.observed)
      files['observed.nodb'] = {
        text: `{"py/object": "wepppy.nodb.observed.Observed", "py/state": {"wd": "${wdFor(a.runId, a.wd)}", "results": null}}`,
      };
    if (a.version !== null) files['nodb.version'] = { text: a.version };
    const table = (kind: WatershedKind, form: TableForm, ids: typeof hills) => {
      if (form === 'absent' || ids.length === 0) return;
      // channel WEPP ids are numbered after the hillslopes: only without them is a run refused
      const ids0 =
        a.noWepp && a.hills !== 'absent' && kind !== 'flowpaths' ? { withWepp: false, withChnEnum: false } : {};
      if (form === 'csv') files[`watershed/${kind}.csv`] = csvFile(watershedTable(kind, ids, 'double', ids0));
      if (form === 'both') files[`watershed/${kind}.csv`] = csvFile(watershedTable(kind, ids, 'double'));
      if (form === 'both') files[`watershed/${kind}.parquet`] = parquetFile(watershedTable(kind, ids, 'normalized'));
      if (form !== 'csv' && form !== 'both') {
        const plain = watershedTable(kind, ids, form, form === 'normalized' ? {} : ids0);
        const t = a.everyType && form !== 'normalized' ? withEveryType(plain) : plain;
        // some legacy tables arrive as root sidecars watershed.<name>.parquet
        files[a.sidecar && form !== 'normalized' ? `watershed.${kind}.parquet` : `watershed/${kind}.parquet`] =
          parquetFile(t, form === 'normalized' ? [] : pandasMetadata(t));
      }
    };
    table('hillslopes', a.hills, hills);
    table('channels', a.chans, chans);
    if (a.hills !== 'absent') table('flowpaths', a.flows, hills);
    if (a.geo !== 'absent') {
      files['dem/wbt/subcatchments.geojson'] = wbtGeojson('subcatchments', hills, a.geo, { nanArea: a.nan });
      if (chans.length > 0) files['dem/wbt/channels.geojson'] = wbtGeojson('channels', chans, a.geo);
    }
    for (const kind of ['landuse', 'soils'] as const) {
      const form = a[kind];
      if (form === 'absent') continue;
      const legacy = form.endsWith('legacy');
      const path = form.startsWith('root') ? `${kind}.parquet` : `${kind}/${kind}.parquet`;
      const known = a.hills !== 'absent';
      files[path] = parquetFile(
        controllerTable(
          kind,
          hills.map((h) => h.topaz),
          legacy,
          known ? hills.map((h) => h.wepp) : undefined,
        ),
      );
    }
    if (a.ash) {
      files['ash/post/hillslope_annuals.pkl'] = {
        base64: Buffer.from([0x80, 0x04, 0x95, 0x00, 0x2e]).toString('base64'),
      };
      files['ash/post/watershed_annuals.pkl'] = {
        base64: Buffer.from([0x80, 0x04, 0x95, 0x01, 0x2e]).toString('base64'),
      };
    }
    if (a.interchange) files['wepp/output/interchange/interchange_version.json'] = { text: '{"major": 1, "minor": 0}' };
    files['climate/climate.cli'] = { text: '5.3\n 1 0 0\n   Station: LEGACY RUN\n' };
    return { runId: a.runId, files: Object.fromEntries(Object.entries(files).sort(([x], [y]) => (x < y ? -1 : 1))) };
  });
