import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { describeGolden, describeLaws } from '@tidemark/testing';
import { startEmulator } from './test/harness.js';
import { sheetsHarness } from './test/sheets-harness.js';

const env = startEmulator();
afterAll(() => env.close());
const harness = sheetsHarness(env.emulator);

describeGolden(harness, { dir: fileURLToPath(new URL('../../../fixtures/plugin-sheets', import.meta.url)) });
describeLaws(harness, { runs: 8, concurrency: 6, timeout: 300_000 });
