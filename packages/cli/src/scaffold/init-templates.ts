// What `tidemark init --plugin <name>` writes: a tidemark.config.ts for one target named "app" (connection
// settings from environment variables, local defaults), the app's one migrations index, and its test.

export interface InitKind {
  /** What the app installs besides @tidemark/cli (printed after init). */
  packages: readonly string[];
  /** The config's source. */
  config: string;
  /** What the app sets to reach its real target. */
  env: readonly string[];
}

export const TARGET_NAME = 'app';

const header = (what: string) => `// Tidemark: ${what}.
// \`tidemark status | plan | up | verify\` act on the targets below; \`tidemark new <name>\` adds a migration
// to src/migrations/ (registered in its index) with a golden fixture case and its test.
import { resolve } from 'node:path';
import { defineConfig } from '@tidemark/cli';
`;

const LOCAL_PG = "process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'";
const LOCAL_MONGO = "process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/app'";

export const INIT_KINDS: Readonly<Record<string, InitKind>> = {
  'run-dirs': {
    packages: ['@tidemark/plugin-run-dirs'],
    env: ['RUN_DIR'],
    config: `${header('WEPPcloud run directories (@tidemark/plugin-run-dirs)')}import { runDirsPlugin } from '@tidemark/plugin-run-dirs';
import { migrations } from './src/migrations/index.js';

export default defineConfig({
  targets: {
    ${TARGET_NAME}: {
      plugin: runDirsPlugin({ migrations: migrations.${TARGET_NAME} }),
      // One run directory: RUN_DIR, or runs/example next to this file.
      target: ({ configDir }) => ({ dir: resolve(configDir, process.env.RUN_DIR ?? 'runs/example') }),
    },
  },
});
`,
  },
  telemetry: {
    packages: ['@tidemark/plugin-telemetry', 'knex', 'pg'],
    env: ['DATABASE_URL', 'TELEMETRY_LOGS_DIR', 'TELEMETRY_CONFIG', 'TELEMETRY_BACKUP_DIR'],
    config: `${header('telemetry CSV logs and config.json into PostgreSQL (@tidemark/plugin-telemetry)')}import { telemetryPlugin } from '@tidemark/plugin-telemetry';
import knex from 'knex';
import { migrations } from './src/migrations/index.js';

export default defineConfig({
  targets: {
    ${TARGET_NAME}: {
      plugin: telemetryPlugin({ migrations: migrations.${TARGET_NAME} }),
      target: ({ configDir }) => ({
        knex: knex({ client: 'pg', connection: ${LOCAL_PG} }),
        logsDir: resolve(configDir, process.env.TELEMETRY_LOGS_DIR ?? 'data/logs'),
        configPath: resolve(configDir, process.env.TELEMETRY_CONFIG ?? 'data/config.json'),
        backupDir: resolve(configDir, process.env.TELEMETRY_BACKUP_DIR ?? 'data/backups'),
      }),
      dispose: (target) => target.knex.destroy(),
    },
  },
});
`,
  },
  sheets: {
    packages: ['@tidemark/plugin-sheets', 'msw'],
    env: ['SHEET_ID', 'SHEET_NAME', 'GOOGLE_APPLICATION_CREDENTIALS', 'SHEETS_API_URL'],
    config: `${header('a Google spreadsheet (@tidemark/plugin-sheets)')}import { serviceAccountAuth, sheetsPlugin, sheetsTarget } from '@tidemark/plugin-sheets';
import { migrations } from './src/migrations/index.js';

export default defineConfig({
  targets: {
    ${TARGET_NAME}: {
      plugin: sheetsPlugin({ migrations: migrations.${TARGET_NAME} }),
      // Share the spreadsheet with the service account's e-mail.
      target: async ({ configDir }) => {
        const spreadsheetId = process.env.SHEET_ID;
        if (!spreadsheetId) throw new Error('set SHEET_ID to the spreadsheet id (from its URL)');
        const sheetName = process.env.SHEET_NAME ?? 'Operaciones';
        // SHEETS_API_URL: a local emulator (\`npx tidemark-sheets-emulator --fixture <dir>\`), any API key.
        if (process.env.SHEETS_API_URL) return sheetsTarget({ spreadsheetId, sheetName, rootUrl: process.env.SHEETS_API_URL, auth: 'emulator' });
        const keyFile = resolve(configDir, process.env.GOOGLE_APPLICATION_CREDENTIALS ?? 'service-account.json');
        return sheetsTarget({ spreadsheetId, sheetName, auth: await serviceAccountAuth({ keyFile }) });
      },
    },
  },
});
`,
  },
  mongo: {
    packages: ['@tidemark/plugin-mongo', 'mongodb'],
    env: ['MONGO_URL'],
    config: `${header('MongoDB collections and indexes (@tidemark/plugin-mongo)')}import { mongoPlugin } from '@tidemark/plugin-mongo';
import { MongoClient } from 'mongodb';
import { migrations } from './src/migrations/index.js';

// Connects on first use; closed by dispose.
const client = new MongoClient(${LOCAL_MONGO});

export default defineConfig({
  targets: {
    ${TARGET_NAME}: {
      plugin: mongoPlugin({ migrations: migrations.${TARGET_NAME} }),
      target: () => client.db(),
      dispose: () => client.close(),
    },
  },
});
`,
  },
  snapshots: {
    // sql.js: the ./testing harness runs the golden cases and laws on in-memory SQLite databases.
    packages: ['@tidemark/plugin-snapshots', 'typeorm', 'pg', 'sql.js'],
    env: ['DATABASE_URL'],
    config: `${header('recipe snapshots on a TypeORM database (@tidemark/plugin-snapshots)')}import { snapshotEntities, snapshotsPlugin } from '@tidemark/plugin-snapshots';
import { DataSource } from 'typeorm';
import { migrations } from './src/migrations/index.js';

export default defineConfig({
  targets: {
    ${TARGET_NAME}: {
      plugin: snapshotsPlugin({ migrations: migrations.${TARGET_NAME} }),
      target: () => new DataSource({ type: 'postgres', url: ${LOCAL_PG}, entities: snapshotEntities }).initialize(),
      dispose: (dataSource) => dataSource.destroy(),
    },
  },
});
`,
  },
  knex: {
    packages: ['@tidemark/sql', 'knex', 'pg'],
    env: ['DATABASE_URL'],
    config: `${header("the app's own PostgreSQL schema through knex (@tidemark/sql)")}import { knexPlugin } from '@tidemark/sql';
import knex from 'knex';
import { migrations } from './src/migrations/index.js';

export default defineConfig({
  targets: {
    ${TARGET_NAME}: {
      plugin: knexPlugin({ migrations: migrations.${TARGET_NAME} }),
      target: () => knex({ client: 'pg', connection: ${LOCAL_PG} }),
      dispose: (db) => db.destroy(),
    },
  },
});
`,
  },
  typeorm: {
    packages: ['@tidemark/sql', 'typeorm', 'pg'],
    env: ['DATABASE_URL'],
    config: `${header("the app's own schema through a TypeORM DataSource (@tidemark/sql)")}import { typeormPlugin } from '@tidemark/sql';
import { DataSource } from 'typeorm';
import { migrations } from './src/migrations/index.js';

export default defineConfig({
  targets: {
    ${TARGET_NAME}: {
      plugin: typeormPlugin({ migrations: migrations.${TARGET_NAME} }),
      // Add the app's entities, or reuse the app's own DataSource (initialized).
      target: () => new DataSource({ type: 'postgres', url: ${LOCAL_PG}, entities: [] }).initialize(),
      dispose: (dataSource) => dataSource.destroy(),
    },
  },
});
`,
  },
  mongodb: {
    packages: ['@tidemark/plugin-mongo', 'mongodb'],
    env: ['MONGO_URL'],
    config: `${header("the app's own MongoDB collections (@tidemark/plugin-mongo's kit)")}import { mongoAppPlugin } from '@tidemark/plugin-mongo';
import { MongoClient } from 'mongodb';
import { migrations } from './src/migrations/index.js';

// Connects on first use; closed by dispose.
const client = new MongoClient(${LOCAL_MONGO});

export default defineConfig({
  targets: {
    ${TARGET_NAME}: {
      plugin: mongoAppPlugin({ migrations: migrations.${TARGET_NAME} }),
      target: () => client.db(),
      dispose: () => client.close(),
    },
  },
});
`,
  },
};

/** Loads tidemark.config.ts the way the CLI does, and checks every migration of the index runs on its target. */
export const INIT_TEST = `import { fileURLToPath } from 'node:url';
import { loadConfig } from '@tidemark/cli';
import { describe, expect, it } from 'vitest';
import { migrations } from './index.js';

const lists: Record<string, readonly { id: string }[]> = migrations;

describe('src/migrations/index.ts', () => {
  it('numbers every migration once, across all targets', () => {
    const ids = Object.values(lists).flatMap((list) => list.map((m) => m.id));
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  // Loading the config compiles it and imports the plugins: seconds on a loaded machine, never 5.
  it('is wired into tidemark.config.ts: each target runs its list, after the plugin\\'s own', { timeout: 60_000 }, async () => {
    const { config } = await loadConfig({ cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    for (const [target, list] of Object.entries(lists)) {
      const entry = config.targets[target];
      expect(entry, \`tidemark.config.ts has no target "\${target}"\`).toBeDefined();
      const ids = entry!.plugin.migrations.map((m: { id: string }) => m.id);
      expect(ids.slice(ids.length - list.length), \`target "\${target}" runs the index's migrations last\`).toEqual(list.map((m) => m.id));
    }
  });
});
`;
