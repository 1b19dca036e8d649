// plugin.scaffold() and capture(): the template's SQL goes through transactionOf, its stubs throw until
// written, its test runs golden + laws with the ./testing harness; capture writes what the harness loads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { telemetryPlugin } from './plugin.js';
import type { TelemetryTarget } from './target.js';
import { loadFixture } from './testing/state.js';

const CASE = fileURLToPath(new URL('../../../fixtures/plugin-telemetry/clean-logger/before', import.meta.url));

describe('telemetryPlugin()', () => {
  test('scaffold: transactionOf, stubs that throw, a golden + laws test on ./testing', () => {
    const out = telemetryPlugin().scaffold!({
      id: '004_operator',
      title: 'runs.operator',
      exportName: 'm004Operator',
      plugin: 'plugin-telemetry',
      target: 'lab',
    });
    expect(out.migration).toContain(
      "import { transactionOf, type TelemetryTarget } from '@tidemark/plugin-telemetry';",
    );
    expect(out.migration).not.toMatch(/ctx\.target\.knex(\(|\.)/);
    for (const what of ['up', 'down', 'validate'])
      expect(out.migration).toContain(`004_operator: ${what} not written yet`);
    expect(out.test).toContain("from '@tidemark/plugin-telemetry/testing'");
    expect(out.test).toContain('migrations["lab"]');
    expect(out.test).toContain('"../../fixtures/plugin-telemetry/"');
    // Each law run is fresh databases and a whole ingest: one per legacy state, not a fixed count.
    expect(out.test).toContain('describeLaws(harness, { runs: Math.max(1, states.length) });');
  });

  test('capture writes the legacy folder the harness loads as before/', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tdm-tel-cap-'));
    try {
      const target = { configPath: join(CASE, 'config.json'), logsDir: join(CASE, 'logs') } as TelemetryTarget;
      await telemetryPlugin().capture!(target, dir);
      expect(await loadFixture(dir)).toEqual(await loadFixture(CASE));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
