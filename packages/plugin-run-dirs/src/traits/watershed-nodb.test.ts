import { afterEach, describe, expect, it } from 'vitest';
import { createRunFromState, type RunState } from '../run-state.js';
import {
  channelIds,
  csvFile,
  hillslopeIds,
  nodbFile,
  parquetFile,
  watershedNodbWithSummaries,
  watershedTable,
} from '../test/legacy-runs.js';
import {
  summaryTables,
  watershedNodbSlimTrait,
  watershedNodbSummariesTrait,
  watershedTableMissingTrait,
} from './watershed-nodb.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function runOf(files: RunState['files']) {
  const { target, cleanup } = await createRunFromState({ runId: 'ab-run', files });
  cleanups.push(cleanup);
  return target;
}
const ctx = { targetLabel: 'ab-run', signal: new AbortController().signal };
const hills = hillslopeIds(3);
const chans = channelIds(2, 3);

describe('watershed tables missing entirely', () => {
  it('reports a hillslope table without its channel table (and the reverse); not a run without any watershed', async () => {
    const onlyHills = await runOf({
      'watershed.nodb': nodbFile('watershed', '{RUN_DIR}', false),
      'watershed/hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'normalized')),
    });
    expect((await watershedTableMissingTrait.detect(onlyHills, ctx))?.details).toEqual({ missing: ['channels'] });
    const onlyChannelsCsv = await runOf({ 'watershed/channels.csv': { text: 'TopazID,WeppID\n24,4\n' } });
    expect((await watershedTableMissingTrait.detect(onlyChannelsCsv, ctx))?.details).toEqual({
      missing: ['hillslopes'],
    });
    const unbuilt = await runOf({ 'watershed.nodb': nodbFile('watershed', '{RUN_DIR}', false) });
    expect(await watershedTableMissingTrait.detect(unbuilt, ctx)).toBeNull();
    const both = await runOf({
      'watershed.hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'normalized')),
      'watershed/channels.parquet': parquetFile(watershedTable('channels', chans, 'normalized')),
    });
    expect(await watershedTableMissingTrait.detect(both, ctx)).toBeNull();
    const fromSummaries = await runOf({ 'watershed.nodb': watershedNodbWithSummaries('{RUN_DIR}', hills, chans) });
    expect(await watershedTableMissingTrait.detect(fromSummaries, ctx)).toBeNull();
    expect((await watershedNodbSummariesTrait.detect(fromSummaries, ctx))?.details).toEqual({
      rows: { hillslopes: 3, channels: 2, flowpaths: 6 },
    });
  });

  it('summaries are not used once watershed/ holds any table; a bad Topaz key names file, dict and key', async () => {
    const withTable = await runOf({
      'watershed.nodb': watershedNodbWithSummaries('{RUN_DIR}', hills, chans),
      'watershed/netful.csv': { text: 'a\n1\n' },
    });
    expect(await watershedNodbSummariesTrait.detect(withTable, ctx)).toBeNull();
    const text = (watershedNodbWithSummaries('{RUN_DIR}', hills, chans) as { text: string }).text.replace(
      '"topaz_id": 21',
      '"topaz_id": 21.5',
    );
    const bad = await runOf({ 'watershed.nodb': { text } });
    await expect(summaryTables(bad)).rejects.toThrow(
      'watershed.nodb: _subs_summary "21": topaz_id "21.5" is not an integer: 21.5',
    );
  });
});

describe('watershed-nodb slimming is planned before the tables exist', () => {
  it('detects when the parquet tables will exist (CSV, root sidecar, or built from the summaries), not when one never will', async () => {
    const nodb = watershedNodbWithSummaries('{RUN_DIR}', hills, chans, { structure: true });
    const legacy = await runOf({
      'watershed.nodb': nodb,
      'watershed.hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'int64')),
      'watershed/channels.csv': csvFile(watershedTable('channels', chans, 'double')),
      'watershed/flowpaths.csv': csvFile(watershedTable('flowpaths', hills, 'double')),
    });
    expect((await watershedNodbSlimTrait.detect(legacy, ctx))?.details).toEqual({
      keys: ['_subs_summary', '_chns_summary', '_fps_summary'],
      inlineStructureRows: 3,
    });
    expect((await watershedNodbSlimTrait.detect(await runOf({ 'watershed.nodb': nodb }), ctx))?.details).toMatchObject({
      inlineStructureRows: 3,
    });
    const noFlowpaths = await runOf({
      'watershed.nodb': nodb,
      'watershed/hillslopes.parquet': parquetFile(watershedTable('hillslopes', hills, 'normalized')),
      'watershed/channels.parquet': parquetFile(watershedTable('channels', chans, 'normalized')),
    });
    expect(await watershedNodbSlimTrait.detect(noFlowpaths, ctx)).toBeNull();
  });
});
