// The golden corpus (fixtures/plugin-mongo) and the six laws, against the suite's backend.
import { fileURLToPath } from 'node:url';
import { describeGolden, describeLaws } from '@tidemark/testing';
import type { MongoClient } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { connect, startBackend, type Backend } from './test/backend.js';
import { mongoHarness } from './test/harness.js';

let backend: Backend;
let client: MongoClient;

beforeAll(async () => {
  backend = await startBackend();
  client = await connect(backend);
});
afterAll(async () => {
  await client?.close();
  await backend?.close();
});

const harness = mongoHarness(() => backend, () => client);

describeGolden(harness, { dir: fileURLToPath(new URL('../../../fixtures/plugin-mongo', import.meta.url)) });
describeLaws(harness, { runs: 10, concurrency: 8 });
