// The golden corpus: small realistic runs, ugly ones included. `fixtures.test.ts` checks that
// fixtures/plugin-run-dirs/<case>/before matches these (TIDEMARK_WRITE_FIXTURES=1 rewrites them); after/
// comes from running the plugin (TIDEMARK_UPDATE_GOLDEN=1) and is reviewed in git.
import type { CaseSpec } from '@tidemark/testing';
import type { FileState, RunState } from '../run-state.js';
import {
  channelIds,
  controllerTable,
  csvFile,
  hillslopeIds,
  withEveryType,
  soilsNodbWithSummaries,
  watershedNodbWithSummaries,
  nodbFile,
  pandasMetadata,
  parquetFile,
  watershedTable,
  wbtGeojson,
  wdFor,
  type TableSpec,
} from './legacy-runs.js';

export interface FixtureCase {
  name: string;
  spec: CaseSpec;
  before: RunState;
}

const hills = hillslopeIds(4);
const chans = channelIds(2, 4);
const cli: Record<string, FileState> = {
  'climate/climate.cli': { text: '5.3\n 1 0 0\n   Station: MOSCOW ID 105956\n' },
};
const nodbs = (
  runId: string,
  wd: 'current' | 'wc1' | 'weppcloud_runs',
  flat = false,
  names = ['ron', 'watershed', 'landuse', 'soils'],
) =>
  Object.fromEntries(names.map((n) => [`${n}.nodb`, nodbFile(n, wdFor(runId, wd), flat, { nan: n === 'watershed' })]));

function withRow(t: TableSpec, index: number, patch: Record<string, unknown>): TableSpec {
  return {
    columns: t.columns,
    rows: t.rows.map((r, i) => (i === index ? ({ ...r, ...patch } as TableSpec['rows'][number]) : r)),
  };
}
function run(runId: string, files: Record<string, FileState>): RunState {
  return { runId, files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) };
}

const ok = (description: string): CaseSpec => ({ description });

export const fixtureCases: FixtureCase[] = [
  {
    name: 'watershed-csv-legacy',
    spec: ok('Only pandas CSVs (index column, TopazID/WeppID as floats) -> normalized parquet, CSVs removed'),
    before: run('ab-csv-era', {
      ...nodbs('ab-csv-era', 'current'),
      ...cli,
      'watershed/hillslopes.csv': csvFile(watershedTable('hillslopes', hills, 'double')),
      'watershed/channels.csv': csvFile(watershedTable('channels', chans, 'double')),
      'watershed/flowpaths.csv': csvFile(watershedTable('flowpaths', hills, 'int64')),
    }),
  },
  {
    name: 'watershed-string-ids-with-spaces',
    spec: ok('TopazID/WeppID stored as strings, some " 12 " with spaces, stale pandas metadata'),
    before: run('cd-string-ids', {
      ...nodbs('cd-string-ids', 'current'),
      'watershed/hillslopes.parquet': parquetFile(
        watershedTable('hillslopes', hills, 'spaces'),
        pandasMetadata(watershedTable('hillslopes', hills, 'spaces')),
      ),
      'watershed/channels.parquet': parquetFile(watershedTable('channels', chans, 'string')),
    }),
  },
  {
    name: 'watershed-float-ids',
    spec: ok('TopazID/WeppID as float64 (22.0)'),
    before: run('ef-float-ids', {
      ...nodbs('ef-float-ids', 'current'),
      'watershed/hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'double')),
      'watershed/channels.parquet': parquetFile(watershedTable('channels', chans, 'int64')),
      'watershed/flowpaths.parquet': parquetFile(watershedTable('flowpaths', hills, 'double')),
    }),
  },
  {
    name: 'csv-and-parquet-both-present',
    spec: ok(
      'Normalized parquet and the legacy CSV it came from: the CSV is checked against the parquet, then removed',
    ),
    before: run('gh-both', {
      ...nodbs('gh-both', 'current'),
      'watershed/hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'normalized')),
      'watershed/hillslopes.csv': csvFile(watershedTable('hillslopes', hills, 'double')),
    }),
  },
  {
    name: 'csv-and-parquet-disagree',
    spec: {
      description: 'CSV and parquet with different rows: nothing is deleted, the run is left as it was',
      expectError: 'disagree',
    },
    before: run('gh-conflict', {
      ...nodbs('gh-conflict', 'current'),
      'watershed/hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'normalized')),
      'watershed/hillslopes.csv': csvFile(watershedTable('hillslopes', hills.slice(0, 3), 'double')),
    }),
  },
  {
    name: 'wbt-geojson-string-ids',
    spec: ok('WhiteboxTools GeoJSON (and .WGS copies) with string / float ids and a NaN property'),
    before: run('ij-wbt', {
      ...nodbs('ij-wbt', 'current'),
      'watershed/hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'normalized')),
      'watershed/channels.parquet': parquetFile(watershedTable('channels', chans, 'normalized')),
      'dem/wbt/subcatchments.geojson': wbtGeojson('subcatchments', hills, 'string', { nanArea: true }),
      'dem/wbt/subcatchments.WGS.geojson': wbtGeojson('subcatchments', hills, 'spaces'),
      'dem/wbt/channels.geojson': wbtGeojson('channels', chans, 'float'),
      'dem/wbt/channels.WGS.geojson': wbtGeojson('channels', chans, 'int'),
    }),
  },
  {
    name: 'landuse-soils-legacy',
    spec: ok(
      'Root landuse.parquet and soils/soils.parquet with TopazID/Area; one TopazID "n/a" becomes null (counted); wepp_id from the watershed',
    ),
    before: run('kl-landuse', {
      ...nodbs('kl-landuse', 'current'),
      'watershed/hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'normalized')),
      'landuse.parquet': parquetFile(
        controllerTable(
          'landuse',
          hills.map((h) => h.topaz),
          true,
        ),
      ),
      'soils/soils.parquet': parquetFile(controllerTable('soils', [...hills.map((h) => String(h.topaz)), 'n/a'], true)),
    }),
  },
  {
    name: 'root-sidecars',
    spec: ok('watershed.<name>.parquet and climate.<name>.parquet in the run root are moved into their folders'),
    before: run('mn-sidecars', {
      ...nodbs('mn-sidecars', 'current'),
      'watershed.hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'normalized')),
      'climate.wepp_cli.parquet': parquetFile({
        columns: [
          { name: 'year', type: 'INT64', nullable: true },
          { name: 'prcp', type: 'DOUBLE', nullable: true },
        ],
        rows: [
          { year: 2001, prcp: 812.5 },
          { year: 2002, prcp: Number.NaN },
        ],
      }),
    }),
  },
  {
    name: 'jsonpickle-flat-stale-paths',
    spec: ok(
      'Old flat jsonpickle .nodb files whose paths still point at /geodata/wc1/runs/<prefix>/<runid>; NaN and key order kept',
    ),
    before: run('op-old-host', {
      ...nodbs('op-old-host', 'wc1', true, ['ron', 'watershed', 'topaz', 'wepppost']),
      ...cli,
    }),
  },
  {
    name: 'weppcloud-runs-root-nested',
    spec: ok('Nested jsonpickle with /geodata/weppcloud_runs/<runid> paths'),
    before: run('qr-weppcloud-runs', { ...nodbs('qr-weppcloud-runs', 'weppcloud_runs', false) }),
  },
  {
    name: 'external-ash-interchange',
    spec: {
      description:
        'Ash pickles and a legacy interchange folder: reported as needing external regeneration; only the stamp moves (every migration baselined), and down moves it back',
      reversible: true,
    },
    before: run('st-ash', {
      ...nodbs('st-ash', 'current', false, ['ron', 'ashpost']),
      'nodb.version': { text: '1000\n' },
      'ash/post/hillslope_annuals.pkl': { base64: Buffer.from([0x80, 0x04, 0x95, 0x10, 0x2e]).toString('base64') },
      'wepp/output/interchange/interchange_version.json': { text: '{"major": 1, "minor": 0}' },
      'wepp/output/interchange/H.pass.parquet': parquetFile({
        columns: [
          { name: 'wepp_id', type: 'INT32', nullable: false },
          { name: 'runoff', type: 'DOUBLE', nullable: true },
        ],
        rows: [{ wepp_id: 1, runoff: 0.25 }],
      }),
    }),
  },
  {
    name: 'new-run-current-layout',
    spec: {
      description:
        "A run in today's layout without .nodb files or nodb.version: every migration baselined, stamp written; down removes it again",
      reversible: true,
    },
    before: run('uv-new', {
      ...cli,
      'watershed/hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'normalized')),
      'landuse/landuse.parquet': parquetFile(
        controllerTable(
          'landuse',
          hills.map((h) => h.topaz),
          false,
          hills.map((h) => h.wepp),
        ),
      ),
    }),
  },
  {
    name: 'full-legacy-run',
    spec: ok('Every fixable legacy shape at once'),
    before: run('wx-everything', {
      ...nodbs('wx-everything', 'weppcloud_runs', true, ['ron', 'watershed', 'landuse', 'soils', 'climate', 'wepp']),
      ...cli,
      'watershed/hillslopes.csv': csvFile(watershedTable('hillslopes', hills, 'double')),
      'watershed.channels.parquet': parquetFile(watershedTable('channels', chans, 'string')),
      'dem/wbt/subcatchments.geojson': wbtGeojson('subcatchments', hills, 'float'),
      'dem/wbt/channels.geojson': wbtGeojson('channels', chans, 'string'),
      'landuse.parquet': parquetFile(
        controllerTable(
          'landuse',
          hills.map((h) => h.topaz),
          true,
        ),
      ),
      'soils.parquet': parquetFile(
        controllerTable(
          'soils',
          hills.map((h) => h.topaz),
          true,
        ),
      ),
      'wepp/output/interchange/interchange_version.json': { text: '{"major": 1, "minor": 0}' },
    }),
  },
  {
    name: 'readonly-run',
    spec: {
      description: 'A legacy run marked READONLY: refused, not one byte written (after == before)',
      expectError: 'is READONLY',
    },
    before: run('rw-readonly', {
      ...nodbs('rw-readonly', 'wc1', true),
      READONLY: { text: '' },
      'watershed/hillslopes.csv': csvFile(watershedTable('hillslopes', hills, 'double')),
    }),
  },
  {
    name: 'missing-wepp-id-topaz-translator',
    spec: ok(
      'Watershed tables with only TopazID (no WeppID, channels without chn_enum): WEPP ids from the Topaz translator (hillslopes ascending 1..H, channels descending H+1..H+C, chn_enum = wepp - H)',
    ),
    before: run('yz-missing', {
      ...nodbs('yz-missing', 'current'),
      'watershed/hillslopes.parquet': parquetFile(
        watershedTable('hillslopes', [...hills].reverse(), 'double', { withWepp: false }),
      ),
      'watershed/channels.csv': csvFile(
        watershedTable('channels', channelIds(3, 4), 'double', { withWepp: false, withChnEnum: false }),
      ),
      'watershed/flowpaths.parquet': parquetFile(watershedTable('flowpaths', hills, 'int64')),
    }),
  },
  {
    name: 'every-parquet-type-carried',
    spec: ok(
      'Legacy hillslopes and soils tables with a column of every parquet type the writer supports (decimals, dates, times, timestamps, small/unsigned ints, nullable ints, binary, UUID, FLOAT16, JSON, enum, interval, geometry, a dictionary string, NaN): ids normalised, every other column carried with its type and values',
    ),
    before: run('ev-every-type', {
      ...nodbs('ev-every-type', 'current'),
      'watershed/hillslopes.parquet': parquetFile(withEveryType(watershedTable('hillslopes', hills, 'double'))),
      'soils/soils.parquet': parquetFile(
        withEveryType(
          controllerTable(
            'soils',
            hills.map((h) => h.topaz),
            true,
          ),
        ),
      ),
    }),
  },
  {
    name: 'watershed-nodb-summaries-only',
    spec: ok(
      'No watershed CSV or parquet, only watershed.nodb summaries (flat jsonpickle, no WEPP ids, inline _structure): tables built from the summaries (WEPP ids by the Topaz translator), then watershed.nodb slimmed and _structure moved to watershed/structure.json',
    ),
    before: run('sn-summaries', {
      ...nodbs('sn-summaries', 'current', true, ['ron', 'landuse', 'soils']),
      'watershed.nodb': watershedNodbWithSummaries('{RUN_DIR}', hills, channelIds(3, 4), {
        wepp: false,
        flat: true,
        structure: true,
      }),
      'landuse/landuse.parquet': parquetFile(
        controllerTable(
          'landuse',
          hills.map((h) => h.topaz),
          true,
        ),
      ),
    }),
  },
  {
    name: 'watershed-nodb-slim',
    spec: ok(
      'Peridot parquet tables present and watershed.nodb still holding the summaries and an inline _structure: summaries slimmed to {"<topaz_id>": null}, _fps_summary null, _structure -> watershed/structure.json',
    ),
    before: run('sl-slim', {
      ...nodbs('sl-slim', 'current', false, ['ron', 'soils']),
      'watershed.nodb': watershedNodbWithSummaries('{RUN_DIR}', hills, chans, { structure: true }),
      'watershed/hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'normalized')),
      'watershed/channels.parquet': parquetFile(watershedTable('channels', chans, 'normalized')),
      'watershed/flowpaths.parquet': parquetFile(watershedTable('flowpaths', hills, 'normalized')),
    }),
  },
  {
    name: 'observed-nodb-class-path',
    spec: ok(
      'observed.nodb under the old class path wepppy.nodb.observed.Observed -> wepppy.nodb.mods.observed.observed.Observed',
    ),
    before: run('ob-observed', {
      ...nodbs('ob-observed', 'current', false, ['ron', 'watershed']),
      'observed.nodb': {
        text: '{"py/object": "wepppy.nodb.observed.Observed", "py/state": {"wd": "{RUN_DIR}", "results": null, "_observed_fn": "{RUN_DIR}/observed/observed.csv"}}',
      },
      'observed/observed.csv': { text: 'Date,Streamflow (mm)\n2005-01-01,0.25\n' },
    }),
  },
  {
    name: 'soils-nodb-meta-and-dirs',
    spec: ok(
      'soils.nodb summaries with legacy _meta_fn .json and relative / foreign soils_dir, soils/soils.parquet present: _meta_fn cleared, soils_dir -> <run>/soils',
    ),
    before: run('so-soils', {
      ...nodbs('so-soils', 'current', false, ['ron', 'watershed', 'landuse']),
      'soils.nodb': soilsNodbWithSummaries('so-soils', '{RUN_DIR}', ['2400001', '2400002', '2400003'], true),
      'soils/soils.parquet': parquetFile(
        controllerTable(
          'soils',
          hills.map((h) => h.topaz),
          false,
          hills.map((h) => h.wepp),
        ),
      ),
      'watershed/hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'normalized')),
    }),
  },
  {
    name: 'symlinked-watershed-folder',
    spec: ok(
      'watershed/ is a symlink to watershed_2019/, a folder inside the run holding a legacy CSV: the link is data (snapshotted, restored and kept as a link) and never followed, so the CSV behind it is neither read nor rewritten; the .nodb files are migrated',
    ),
    before: run('lk-linked-ws', {
      ...nodbs('lk-linked-ws', 'wc1', true),
      ...cli,
      watershed: { link: 'watershed_2019' },
      'watershed_2019/hillslopes.csv': csvFile(watershedTable('hillslopes', hills, 'double')),
    }),
  },
  {
    name: 'bad-link-outside-run',
    spec: {
      description:
        "watershed/ is a symlink to another run's folder (outside this run): refused in preflight, before the lease and any write, naming the link; the run is left byte-identical",
      expectError:
        'symlink(s) pointing outside the run: watershed -> /geodata/wc1/runs/ab/ab-origin/watershed (absolute target',
    },
    before: run('lo-outside-link', {
      ...nodbs('lo-outside-link', 'wc1', true),
      ...cli,
      watershed: { link: '/geodata/wc1/runs/ab/ab-origin/watershed' },
    }),
  },
  {
    name: 'bad-missing-hillslopes-for-channel-ids',
    spec: {
      description: 'channels without WeppID and no hillslope table to number them from: refused naming the file',
      expectError: 'watershed/channels.parquet: wepp_id, chn_enum missing and there is no watershed/hillslopes table',
    },
    before: run('yz-no-hills', {
      ...nodbs('yz-no-hills', 'current'),
      'watershed/channels.parquet': parquetFile(
        watershedTable('channels', chans, 'double', { withWepp: false, withChnEnum: false }),
      ),
    }),
  },
  {
    name: 'bad-nan-id',
    spec: {
      description: 'a NaN TopazID: refused naming file, row and field',
      expectError: 'watershed/hillslopes.parquet: row 2: field "TopazID"',
    },
    before: run('za-nan', {
      ...nodbs('za-nan', 'current'),
      'watershed/hillslopes.parquet': parquetFile(
        withRow(watershedTable('hillslopes', hills, 'double'), 2, { TopazID: Number.NaN }),
      ),
    }),
  },
  {
    name: 'bad-empty-parquet',
    spec: { description: 'a 0-byte parquet file', expectError: 'watershed/channels.parquet: empty file' },
    before: run('zb-empty', { ...nodbs('zb-empty', 'current'), 'watershed/channels.parquet': { text: '' } }),
  },
  {
    name: 'bad-corrupt-parquet',
    spec: {
      description: 'a truncated parquet file',
      expectError: 'landuse/landuse.parquet: not a readable parquet file',
    },
    before: run('zc-corrupt', {
      ...nodbs('zc-corrupt', 'current'),
      'landuse/landuse.parquet': {
        base64: Buffer.from('PAR1\x15\x00\x15\x1c\x15\x1c,\x15\x02\x15\x00\x15\x06\x15\x06\x00\x00garbage').toString(
          'base64',
        ),
      },
    }),
  },
  {
    name: 'bad-invalid-nodb-json',
    spec: { description: 'a .nodb file cut off mid-write', expectError: 'ron.nodb: invalid JSON' },
    before: run('zd-json', {
      'ron.nodb': {
        text: '{"py/object": "wepppy.nodb.core.ron.Ron", "py/state": {"wd": "/geodata/wc1/runs/zd/zd-json", "_name": ',
      },
    }),
  },
  {
    name: 'bad-geojson-without-features',
    spec: {
      description: 'a WBT GeoJSON that is not a FeatureCollection',
      expectError: 'dem/wbt/channels.geojson: GeoJSON without a "features" array',
    },
    before: run('ze-geojson', {
      ...nodbs('ze-geojson', 'current'),
      'dem/wbt/channels.geojson': { text: '{"type": "FeatureCollection", "name": "channels"}' },
    }),
  },
];
