// `down` beyond the basics in runner.test.ts: what a dry run skips, how one snapshot restore undoes a whole
// run, which guards wrap each reverted step, and what the error says when a guard put the target back.
import { describe, expect, test } from 'vitest';
import { defineGuard, defineMigration } from '../define.js';
import type { TidemarkEvent } from '../events.js';
import { box, boxPlugin, failure, setter, snapshotGuard, type Box } from '../test/fixtures.js';
import { createRunner } from './index.js';

const m1 = setter('001', 'a', 1);
const oneWay = (id: string, key: string) =>
  defineMigration<Box>({
    id,
    title: `one way ${id}`,
    async up({ target }) {
      target.data[key] = id;
    },
  });

describe('down', () => {
  test('a dry run asks no guard for permission; the real one is refused before any write', async () => {
    const t = box();
    const refusing = defineGuard<Box>({
      name: 'ro',
      preflight: async ({ command }) => {
        if (command === 'down') throw new Error('read-only run');
      },
    });
    const plugin = boxPlugin([m1], { guards: [refusing] });
    await createRunner({ plugin, target: t }).up();
    expect(await createRunner({ plugin, target: t }).down({ to: null, dryRun: true })).toMatchObject({
      outcome: 'dry-run',
      reverted: ['001'],
    });
    const error = await failure(createRunner({ plugin, target: t }).down({ to: null }));
    expect(error.message).toContain('refused before any write; nothing was changed');
    expect(error.step).toBe('guard:ro');
    expect(t.data).toEqual({ a: 1 });
  });

  test('one snapshot restore undoes the whole run that took it; its other steps are then not reverted again', async () => {
    const t = box({ orig: true });
    const guard = snapshotGuard();
    const plugin = boxPlugin([m1, oneWay('002', 'b'), oneWay('003', 'c')], { guards: [guard] });
    await createRunner({ plugin: boxPlugin([m1]), target: t }).up();
    await createRunner({ plugin, target: t }).up();
    expect(t.data).toEqual({ orig: true, a: 1, b: '002', c: '003' });
    const events: TidemarkEvent[] = [];
    const result = await createRunner({ plugin, target: t, onEvent: (e) => events.push(e) }).down({ to: '001' });
    expect(t.data).toEqual({ orig: true, a: 1 });
    expect((await t.ledger.read()).map((e) => e.id)).toEqual(['001']);
    expect(result.reverted).toEqual(['003']);
    expect(events.filter((e) => e.type === 'step:started').map((e) => (e as { migration: string }).migration)).toEqual([
      '003',
    ]);
    const restored = events.filter((e) => e.type === 'guard' && e.action === 'snapshot-restored');
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({ guard: 'snap', detail: { ref: 's1', migration: '003' } });
  });

  test('each reverted step runs inside the step guards, which see the migration and the direction', async () => {
    const t = box();
    const seen: string[] = [];
    const stepGuard = defineGuard<Box>({
      name: 'steps',
      async aroundStep(ctx, next) {
        seen.push(`${ctx.command} ${ctx.direction} ${ctx.migrationId} [${ctx.steps.join(',')}]`);
        await next();
      },
    });
    const plugin = boxPlugin([m1, setter('002', 'b', 2)], { guards: [stepGuard] });
    await createRunner({ plugin, target: t }).up();
    seen.length = 0;
    await createRunner({ plugin, target: t }).down({ to: null });
    expect(seen).toEqual(['down down 002 [002,001]', 'down down 001 [002,001]']);
    expect(t.data).toEqual({});
  });

  test('a failing down inside a guard that restores says the target was put back', async () => {
    const t = box();
    const stuck = setter('002', 'b', 2, {
      down: async () => {
        throw new Error('table in use');
      },
    });
    const plugin = boxPlugin([m1, stuck], { guards: [snapshotGuard()] });
    await createRunner({ plugin, target: t }).up();
    const error = await failure(createRunner({ plugin, target: t }).down({ to: null }));
    expect(error.message).toContain('rollback failed; the target was restored to its state before the rollback');
    expect(error.migration).toBe('002');
    expect(t.data).toEqual({ a: 1, b: 2 });
  });

  test('step events number the reverted steps', async () => {
    const t = box();
    const plugin = boxPlugin([m1, setter('002', 'b', 2), setter('003', 'c', 3)]);
    await createRunner({ plugin, target: t }).up();
    const events: TidemarkEvent[] = [];
    await createRunner({ plugin, target: t, onEvent: (e) => events.push(e) }).down({ to: '001' });
    expect(
      events
        .filter((e) => e.type === 'step:started')
        .map((e) => e.type === 'step:started' && [e.migration, e.index, e.total, e.direction, e.title]),
    ).toEqual([
      ['003', 0, 2, 'down', 'set c'],
      ['002', 1, 2, 'down', 'set b'],
    ]);
    expect(
      events.filter((e) => e.type === 'step:finished').map((e) => e.type === 'step:finished' && e.durationMs >= 0),
    ).toEqual([true, true]);
  });
});
