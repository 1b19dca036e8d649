// The contract is what plugins build on: it depends on nothing (the planner, runner and events build on it,
// never the reverse), and a guard is told only what is true (no `dryRun`: a dry run never reaches guards).
import { readFile } from 'node:fs/promises';
import { expect, expectTypeOf, test } from 'vitest';
import type { GuardContext } from './contract.js';
import { defineGuard } from './define.js';
import { createRunner } from './runner/index.js';
import { box, boxPlugin, setter, type Box } from './test/fixtures.js';

test('contract.ts imports nothing', async () => {
  const source = await readFile(new URL('./contract.ts', import.meta.url), 'utf8');
  expect(
    source
      .split('\n')
      .filter((line) => /^\s*(import|export\s.*\sfrom)\s/.test(line) || /\brequire\(|\bimport\(/.test(line)),
  ).toEqual([]);
});

test('a guard context has no dryRun: dry runs never reach guards', async () => {
  expectTypeOf<GuardContext<Box>>().not.toHaveProperty('dryRun');
  const seen: object[] = [];
  const spy = defineGuard<Box>({
    name: 'spy',
    async aroundRun(ctx, next) {
      seen.push(ctx);
      await next();
    },
  });
  const runner = createRunner({ plugin: boxPlugin([setter('001', 'a', 1)], { guards: [spy] }), target: box() });
  await runner.up({ dryRun: true });
  expect(seen).toEqual([]);
  await runner.up();
  expect(seen).toHaveLength(1);
  expect(Object.keys(seen[0]!)).not.toContain('dryRun');
});
