// An app replica booting in its own process (killed with SIGKILL by the crash test): prints each event.
import { MongoClient } from 'mongodb';
import { runPendingMigrations } from '@tidemark/core';
import { contextsFromFlags } from '../flags.js';
import { mongoPlugin } from '../plugin.js';

const [uri, dbName] = process.argv.slice(2);
const client = await new MongoClient(uri!).connect();
await runPendingMigrations({
  plugin: mongoPlugin(),
  target: client.db(dbName),
  contexts: contextsFromFlags({ LABLET_ENABLED: true }),
  lock: { ttlMs: 1500 },
  onEvent: (e) => console.log(`event ${e.type} ${'migration' in e ? e.migration : ''}`),
});
console.log('done');
await client.close();
