// The seed's T017 sample data (test_data/sample_data.json): a legacy database before snapshots existed.
import { readFile } from 'node:fs/promises';
import type { SnapshotsState } from './state.js';

export const SAMPLE_DATA_URL = new URL('../test_data/sample_data.json', import.meta.url);

export async function loadSampleData(path: string | URL = SAMPLE_DATA_URL): Promise<SnapshotsState> {
  return JSON.parse(await readFile(path, 'utf8')) as SnapshotsState;
}
