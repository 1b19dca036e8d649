// Seed 001: the extruder's CSV telemetry and backend/config.json into PostgreSQL through the app's knex. The
// demo's database is embedded PGlite (WASM PostgreSQL) in a data folder, so nothing is installed or served;
// for a real server use `knex({ client: 'pg', connection: process.env.DATABASE_URL })` instead.
// Copy it: set EXTRUDER_DIR to the app's folder (logs/ and backend/config.json) and PGLITE_DIR (or use pg).
import { join } from 'node:path';
import { defineConfig } from '@tidemark/cli';
import { telemetryPlugin, type TelemetryTarget } from '@tidemark/plugin-telemetry';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';

const app = process.env.EXTRUDER_DIR;
const dataDir = process.env.PGLITE_DIR;
if (!app || !dataDir)
  throw new Error(
    'set EXTRUDER_DIR (logs/ + backend/config.json) and PGLITE_DIR (npm run demo -- telemetry makes both)',
  );

export default defineConfig({
  targets: {
    extruder: {
      plugin: telemetryPlugin({ timezone: 'UTC' }),
      target: (): TelemetryTarget => ({
        knex: knex({
          client: ClientPgLite as unknown as Knex.Config['client'],
          dialect: 'postgres',
          connection: { filename: dataDir },
        } as Knex.Config),
        logsDir: join(app, 'logs'),
        configPath: join(app, 'backend', 'config.json'),
        backupDir: join(app, 'backups'),
        label: `pglite:${dataDir}`,
      }),
      dispose: (target) => target.knex.destroy(),
    },
  },
});
