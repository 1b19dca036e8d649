// plugin.scaffold(): a typed template on dbOf whose stubs throw until written, and a golden + laws test on
// the ./testing harness of the plugin it was asked of (mongoPlugin or mongoAppPlugin).
import { describe, expect, test } from 'vitest';
import { mongoAppPlugin } from './app-plugin.js';
import { mongoPlugin } from './plugin.js';

describe('scaffold', () => {
  test('mongoPlugin: template and test on mongoHarness', () => {
    const out = mongoPlugin().scaffold!({
      id: '003_worker_note',
      title: 'workers note',
      exportName: 'm003WorkerNote',
      plugin: 'plugin-mongo',
      target: 'cml',
    });
    expect(out.migration).toContain("import { dbOf, type MongoTarget } from '@tidemark/plugin-mongo';");
    for (const what of ['up', 'down', 'validate'])
      expect(out.migration).toContain(`003_worker_note: ${what} not written yet`);
    expect(out.test).toContain("import { goldenStates, mongoHarness } from '@tidemark/plugin-mongo/testing';");
    expect(out.test).toContain('migrations["cml"]');
    expect(out.test).toContain('"../../fixtures/plugin-mongo/"');
  });

  test('mongoAppPlugin: the test uses mongoAppHarness and the plugin name as the cases folder', () => {
    const plugin = mongoAppPlugin({ migrations: [] });
    const out = plugin.scaffold!({ id: '001_plan', title: 'plan', exportName: 'm001Plan', plugin: plugin.name });
    expect(out.test).toContain('mongoAppHarness({ client');
    expect(out.test).toContain('"../../fixtures/mongo-app/"');
  });
});
