// Golden cases: fixtures/plugin-telemetry/<case>/before/{config.json,logs/*.csv} -> up -> after/<table>.json;
// then down -> no tables. TIDEMARK_UPDATE_GOLDEN=1 rewrites after/ (review the diff).
import { createRunner } from '@tidemark/core';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { telemetryPlugin } from '@tidemark/plugin-telemetry';
import { readTables } from './golden-state.js';
import { createTestDb, tempDir } from './test/pg.js';

const root = fileURLToPath(new URL('../../../fixtures/plugin-telemetry/', import.meta.url));
const update = process.env.TIDEMARK_UPDATE_GOLDEN === '1';
const cases = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('golden cases', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(2));
  for (const name of cases) {
    it(`${name}: up(before) == after, down(after) == before`, async () => {
      const db = await createTestDb();
      const dir = await tempDir();
      try {
        await cp(join(root, name, 'before'), dir.path, { recursive: true });
        const target = { knex: db.knex, logsDir: join(dir.path, 'logs'), configPath: join(dir.path, 'config.json'), backupDir: join(dir.path, '..', `${name}-backups-${db.name}`) };
        const runner = createRunner({ plugin: telemetryPlugin(), target });
        await runner.up();
        const state = await readTables(db.knex);
        const afterDir = join(root, name, 'after');
        if (update) {
          await rm(afterDir, { recursive: true, force: true });
          await mkdir(afterDir, { recursive: true });
          for (const [table, rows] of Object.entries(state)) await writeFile(join(afterDir, `${table}.json`), `${JSON.stringify(rows, null, 1)}\n`);
        }
        const expected: Record<string, unknown> = {};
        for (const file of (await readdir(afterDir)).filter((f) => f.endsWith('.json'))) expected[file.replace(/\.json$/, '')] = JSON.parse(await readFile(join(afterDir, file), 'utf8'));
        expect(JSON.parse(JSON.stringify(state))).toEqual(expected);
        expect((await runner.verify()).ok).toBe(true);
        await runner.down({ to: null });
        expect(await readTables(db.knex)).toEqual({});
        await rm(target.backupDir, { recursive: true, force: true });
      } finally {
        await db.drop();
        await dir.remove();
      }
    });
  }
});
