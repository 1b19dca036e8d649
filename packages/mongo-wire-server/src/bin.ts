#!/usr/bin/env node
// Runs the test server standalone: `pnpm --filter @tidemark/mongo-wire-server start [-- --port 27017]`.
import { startMongoWireServer } from './server.js';

const portFlag = process.argv.indexOf('--port');
const port = portFlag >= 0 ? Number(process.argv[portFlag + 1]) : Number(process.env.PORT ?? 0);
const verbose = process.argv.includes('--verbose');

const server = await startMongoWireServer({
  port,
  onCommand: verbose ? (db, body) => console.log(`${db} ${Object.keys(body)[0] ?? '?'}`) : undefined,
});
console.log(`mongo-wire-server listening: ${server.uri}`);

const stop = () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
