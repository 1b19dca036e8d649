// Where the suite's databases live: the in-repo wire-protocol server by default, a real mongod when
// MONGO_URL is set. Every test makes its own randomly named database and drops it.
import { randomBytes } from 'node:crypto';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';

export interface Backend {
  uri: string;
  kind: 'wire-server' | 'mongod';
  close(): Promise<void>;
}

export async function startBackend(): Promise<Backend> {
  const url = process.env.MONGO_URL;
  if (url) return { uri: url, kind: 'mongod', close: async () => {} };
  const { startMongoWireServer } = await import('@tidemark/mongo-wire-server');
  const server = await startMongoWireServer({});
  return { uri: server.uri, kind: 'wire-server', close: () => server.close() };
}

export function randomDbName(prefix = 'tm_mongo'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function connect(backend: Backend, options: MongoClientOptions = {}): Promise<MongoClient> {
  const client = new MongoClient(backend.uri, { serverSelectionTimeoutMS: 5000, ...options });
  await client.connect();
  return client;
}

export async function freshDb(client: MongoClient): Promise<Db> {
  return client.db(randomDbName());
}

/**
 * One backend and one client per test file, started before its tests and closed after them. Read `.backend`
 * and `.client` inside tests or hooks (they are set by then).
 */
export function useBackend(): { readonly backend: Backend; readonly client: MongoClient } {
  let backend: Backend | undefined;
  let client: MongoClient | undefined;
  beforeAll(async () => {
    backend = await startBackend();
    client = await connect(backend);
  });
  afterAll(async () => {
    await client?.close();
    await backend?.close();
  });
  return {
    get backend() {
      return backend!;
    },
    get client() {
      return client!;
    },
  };
}
