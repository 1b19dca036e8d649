// The lablet manager's boot, reduced to what matters here: before it serves, the app awaits
// runPendingMigrations. With nothing pending that is one ledger read and no lock, so every replica may call it.
import { runPendingMigrations } from '@tidemark/core';
import { contextsFromFlags, mongoPlugin } from '@tidemark/plugin-mongo';
import { MongoClient } from 'mongodb';

const client = new MongoClient(process.env.MONGO_URL, { serverSelectionTimeoutMS: 5000 });
await client.connect();
try {
  const db = client.db(process.env.MONGO_DB ?? 'cml_cloud_manager');
  const result = await runPendingMigrations({
    plugin: mongoPlugin(),
    target: db,
    contexts: contextsFromFlags({ LABLET_ENABLED: true }),
  });
  console.log(
    `[app] boot: ${result.outcome}${result.applied.length ? `, applied ${result.applied.join(', ')}` : ' (one ledger read, no lock taken)'}`,
  );
} finally {
  await client.close();
}
