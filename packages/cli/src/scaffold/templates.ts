// Templates for plugins without a `scaffold()`: a migration that runs as it is, and a test that runs it.
export function genericMigration(input: { id: string; title: string; exportName: string }): string {
  return `import { defineMigration } from '@tidemark/core';

/** ${input.title} */
export const ${input.exportName} = defineMigration<unknown>({
  id: ${JSON.stringify(input.id)},
  title: ${JSON.stringify(input.title)},
  async up(ctx) {
    // Change ctx.target here; report ctx.progress(done, total) on long work.
    ctx.log('${input.id}: nothing to change yet');
  },
  async down(ctx) {
    ctx.log('${input.id}: nothing to undo yet');
  },
  async validate() {
    return [];
  },
});
`;
}

/** Runs the new migration alone on a scratch target with an in-memory ledger: up, up again, down. */
export function genericTest(input: { id: string; exportName: string }): string {
  const { id, exportName } = input;
  return `import { createRunner, definePlugin, memoryLedger } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { ${exportName} } from './${id}.js';
import { migrations } from './index.js';

describe(${JSON.stringify(id)}, () => {
  it('is registered', () => {
    expect(migrations).toContain(${exportName});
  });

  it('runs up once, then down', async () => {
    const ledger = memoryLedger();
    const plugin = definePlugin<unknown>({
      name: 'scratch',
      migrations: [{ ...${exportName}, requires: [] }],
      ledger: () => ledger,
      describe: () => 'scratch target',
    });
    const runner = createRunner({ plugin, target: {} });
    expect((await runner.up()).applied).toEqual([${JSON.stringify(id)}]);
    expect((await runner.up()).outcome).toBe('nothing-to-do');
    expect((await runner.verify()).ok).toBe(true);
    if (${exportName}.down) {
      expect((await runner.down({ to: null })).reverted).toEqual([${JSON.stringify(id)}]);
      expect(await ledger.read()).toEqual([]);
    }
  });
});
`;
}

/** For plugins whose scaffold() gives a migration but no test: registration now, the golden case to fill in. */
export function registrationTest(input: { id: string; exportName: string; fixtureDir: string }): string {
  const { id, exportName, fixtureDir } = input;
  return `import { describe, expect, it } from 'vitest';
import { ${exportName} } from './${id}.js';
import { migrations } from './index.js';

describe(${JSON.stringify(id)}, () => {
  it('is registered', () => {
    expect(migrations).toContain(${exportName});
    expect(${exportName}.id).toBe(${JSON.stringify(id)});
  });

  it.todo('turns ${fixtureDir}/before into after (fill the fixture case, then run it with @tidemark/testing)');
});
`;
}
