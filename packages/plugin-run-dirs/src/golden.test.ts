import { fileURLToPath } from 'node:url';
import { describeGolden } from '@tidemark/testing';
import { runDirsHarness } from './test/harness.js';

describeGolden(runDirsHarness, { dir: fileURLToPath(new URL('../../../fixtures/plugin-run-dirs/', import.meta.url)) });
