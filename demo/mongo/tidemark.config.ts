// Seed 003: the lablet manager's MongoDB database. The app applies its migrations itself at boot (see app.mjs:
// runPendingMigrations); this config is for the operator's `tidemark status / plan / down / verify`.
// Copy it: set MONGO_URL (the demo serves the in-repo wire-protocol server on a local port) and MONGO_DB.
import { defineConfig } from '@tidemark/cli';
import { mongoPlugin, type MongoTarget } from '@tidemark/plugin-mongo';
import { MongoClient } from 'mongodb';

const url = process.env.MONGO_URL;
if (!url) throw new Error('set MONGO_URL to a MongoDB server (npm run demo -- mongo starts one)');
let client: MongoClient | undefined;

export default defineConfig({
  targets: {
    lablets: {
      plugin: mongoPlugin(),
      target: async (): Promise<MongoTarget> => {
        client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
        await client.connect();
        return client.db(process.env.MONGO_DB ?? 'cml_cloud_manager');
      },
      dispose: async () => client?.close(),
      // The seed's feature flags: LABLET_ENABLED turns on 001 and 002 (the scheduler and controller flags only 002).
      contexts: ['LABLET_ENABLED'],
    },
  },
});
