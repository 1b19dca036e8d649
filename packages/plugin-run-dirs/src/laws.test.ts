import { describeLaws } from '@tidemark/testing';
import { runDirsHarness } from './test/harness.js';

describeLaws(runDirsHarness, { runs: 5, concurrency: 4 });
