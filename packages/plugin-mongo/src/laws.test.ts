// The golden corpus (fixtures/plugin-mongo) and the six laws, against the suite's backend.
import { fileURLToPath } from 'node:url';
import { describeGolden, describeLaws } from '@tidemark/testing';
import { useBackend } from './test/backend.js';
import { mongoHarness } from './test/harness.js';

const mongo = useBackend();

const harness = mongoHarness(
  () => mongo.backend,
  () => mongo.client,
);

describeGolden(harness, { dir: fileURLToPath(new URL('../../../fixtures/plugin-mongo', import.meta.url)) });
describeLaws(harness, { runs: 10, concurrency: 8 });
