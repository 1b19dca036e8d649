import { describeLaws } from '@tidemark/testing';
import { runDirsHarness } from './test/harness.js';

describeLaws(runDirsHarness, { runs: 6, concurrency: 4 });
