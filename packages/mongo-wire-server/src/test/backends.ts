// The servers the driver-level tests run against: always this package's server, and a real mongod (replica set)
// when MONGO_URL is set, so every claim is also checked against the real thing.
import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { startMongoWireServer } from '../index.js';

export interface Backend {
  name: string;
  real: boolean;
  start(): Promise<{ uri: string; close(): Promise<void> }>;
}

export const backends: Backend[] = [
  {
    name: 'mongo-wire-server',
    real: false,
    start: async () => {
      const server = await startMongoWireServer();
      return { uri: server.uri, close: server.close };
    },
  },
];

const realUrl = process.env.MONGO_URL;
if (realUrl) {
  backends.push({
    name: 'real mongod (MONGO_URL)',
    real: true,
    start: async () => ({ uri: realUrl, close: async () => {} }),
  });
}

export function randomDbName(prefix = 'mw'): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** A connected client and a fresh database of its own; `dispose` drops the database and closes everything. */
export async function openDatabase(backend: Backend, clientOptions: ConstructorParameters<typeof MongoClient>[1] = {}) {
  const server = await backend.start();
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000, ...clientOptions });
  await client.connect();
  const db: Db = client.db(randomDbName());
  return {
    client,
    db,
    uri: server.uri,
    dispose: async () => {
      try {
        await db.dropDatabase();
      } finally {
        await client.close();
        await server.close();
      }
    },
  };
}
