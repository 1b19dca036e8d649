// Exact event streams and guard contexts: what every sink (console, JSON lines, Redis, web page) relies on.
import { describe, expect, test } from 'vitest';
import type { GuardContext } from './contract.js';
import { defineGuard, defineMigration } from './define.js';
import type { TidemarkEvent } from './events.js';
import { createRunner } from './runner/index.js';
import { box, boxPlugin, flagTrait, setter, snapshotGuard, type Box } from './test/fixtures.js';

/** Events without the fields that vary per run. */
function record(events: TidemarkEvent[]) {
  return (e: TidemarkEvent) => {
    const { at, runId, ...rest } = e as TidemarkEvent & { runId?: string; durationMs?: number };
    expect(Number.isNaN(Date.parse(at))).toBe(false);
    if ('durationMs' in rest) {
      expect(rest.durationMs).toBeGreaterThanOrEqual(0);
      expect(rest.durationMs).toBeLessThan(60_000);
      delete (rest as { durationMs?: number }).durationMs;
    }
    if (runId !== undefined) expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    if (rest.type === 'plan:ready') {
      events.push({
        type: 'plan:ready',
        steps: rest.plan.steps.map((s) => s.id),
        baseline: rest.plan.baseline.map((b) => b.id),
      } as never);
      return;
    }
    events.push(rest as TidemarkEvent);
  };
}

const m1 = setter('001', 'a', 1);
const m2 = setter('002', 'b', 2);

describe('event stream', () => {
  test('up with a baseline, a guard action and two steps', async () => {
    const events: TidemarkEvent[] = [];
    const noisy = defineGuard<Box>({
      name: 'noisy',
      async aroundRun(ctx, next) {
        ctx.emit('checked', { free: 10 });
        ctx.emit('plain');
        await next();
      },
    });
    const plugin = boxPlugin([m1, m2, setter('003', 'c', 3)], {
      guards: [noisy],
      traits: [flagTrait('t', 'c', ['003']), flagTrait('u', 'b', ['002'])],
    });
    const t = box({ b: 'legacy' });
    await createRunner({ plugin, target: t, onEvent: record(events) }).up();
    expect(events).toEqual([
      { type: 'lock:acquired', target: 'box' },
      {
        type: 'trait:detected',
        target: 'box',
        trait: 'u',
        evidence: { summary: 'b is legacy', details: { key: 'b' } },
      },
      { type: 'plan:ready', steps: ['001', '002'], baseline: ['003'] },
      { type: 'run:started', target: 'box', command: 'up', steps: ['001', '002'], dryRun: false },
      { type: 'guard', target: 'box', guard: 'noisy', action: 'checked', detail: { free: 10 } },
      { type: 'guard', target: 'box', guard: 'noisy', action: 'plain' },
      { type: 'step:started', target: 'box', migration: '001', title: 'set a', direction: 'up', index: 0, total: 2 },
      { type: 'step:finished', target: 'box', migration: '001', direction: 'up' },
      { type: 'step:started', target: 'box', migration: '002', title: 'set b', direction: 'up', index: 1, total: 2 },
      { type: 'step:finished', target: 'box', migration: '002', direction: 'up' },
      { type: 'step:baselined', target: 'box', migration: '003', note: 'legacy shape not found: t detected nothing' },
      { type: 'run:finished', target: 'box', command: 'up', outcome: 'ok', applied: ['001', '002'] },
      { type: 'lock:released', target: 'box' },
    ]);
  });

  test('a failed up, with and without a restore', async () => {
    const bad = defineMigration<Box>({
      id: '002',
      title: 'bad',
      async up() {
        throw new Error('nope');
      },
    });
    for (const restoring of [false, true]) {
      const events: TidemarkEvent[] = [];
      const plugin = boxPlugin([m1, bad], { guards: restoring ? [snapshotGuard()] : [] });
      await expect(createRunner({ plugin, target: box(), onEvent: record(events) }).up()).rejects.toThrow('nope');
      expect(events.slice(-3)).toEqual([
        { type: 'step:failed', target: 'box', migration: '002', direction: 'up', error: 'nope' },
        { type: 'run:finished', target: 'box', command: 'up', outcome: 'failed', applied: restoring ? [] : ['001'] },
        { type: 'lock:released', target: 'box' },
      ]);
    }
  });

  test('a guard failure before any step is reported against the run', async () => {
    const events: TidemarkEvent[] = [];
    const refuse = defineGuard<Box>({
      name: 'refuse',
      aroundRun: async () => {
        throw new Error('no space');
      },
    });
    await expect(
      createRunner({ plugin: boxPlugin([m1], { guards: [refuse] }), target: box(), onEvent: record(events) }).up(),
    ).rejects.toThrow(
      '[tidemark] [box] target "box": (guard:refuse) failed; 0 earlier step(s) of this run stay applied: no space',
    );
    expect(events.find((e) => e.type === 'step:failed')).toEqual({
      type: 'step:failed',
      target: 'box',
      migration: '(run)',
      direction: 'up',
      error: 'no space',
    });
  });

  test('down, and its dry-run', async () => {
    const t = box();
    const plugin = boxPlugin([m1, m2]);
    await createRunner({ plugin, target: t }).up();
    const dry: TidemarkEvent[] = [];
    const result = await createRunner({ plugin, target: t, onEvent: record(dry) }).down({ to: null, dryRun: true });
    expect(result).toMatchObject({
      outcome: 'dry-run',
      applied: [],
      baselined: [],
      reverted: ['002', '001'],
      durationMs: 0,
    });
    expect(dry.map((e) => e.type)).toEqual(['lock:acquired', 'run:started', 'lock:released']);
    expect(dry[1]).toEqual({
      type: 'run:started',
      target: 'box',
      command: 'down',
      steps: ['002', '001'],
      dryRun: true,
    });

    const events: TidemarkEvent[] = [];
    const down = await createRunner({ plugin, target: t, onEvent: record(events) }).down({ to: '001' });
    expect(down).toMatchObject({ outcome: 'ok', applied: [], baselined: [], reverted: ['002'] });
    expect(events).toEqual([
      { type: 'lock:acquired', target: 'box' },
      { type: 'run:started', target: 'box', command: 'down', steps: ['002'], dryRun: false },
      { type: 'step:started', target: 'box', migration: '002', title: 'set b', direction: 'down', index: 0, total: 1 },
      { type: 'step:finished', target: 'box', migration: '002', direction: 'down' },
      { type: 'run:finished', target: 'box', command: 'down', outcome: 'ok', applied: [] },
      { type: 'lock:released', target: 'box' },
    ]);
  });

  test('a failed down reports the step and the run', async () => {
    const t = box();
    const stuck = setter('002', 'b', 2, {
      down: async () => {
        throw new Error('busy');
      },
    });
    await createRunner({ plugin: boxPlugin([m1, stuck]), target: t }).up();
    const events: TidemarkEvent[] = [];
    await expect(
      createRunner({ plugin: boxPlugin([m1, stuck]), target: t, onEvent: record(events) }).down({ to: null }),
    ).rejects.toThrow('busy');
    expect(events.slice(-3)).toEqual([
      { type: 'step:failed', target: 'box', migration: '002', direction: 'down', error: 'busy' },
      { type: 'run:finished', target: 'box', command: 'down', outcome: 'failed', applied: [] },
      { type: 'lock:released', target: 'box' },
    ]);
  });

  test('dry-run and nothing-to-do results are complete', async () => {
    const t = box();
    const r = createRunner({ plugin: boxPlugin([m1]), target: t });
    const dry = await r.up({ dryRun: true });
    expect(dry).toMatchObject({ outcome: 'dry-run', applied: [], baselined: [], reverted: [] });
    expect(dry.durationMs).toBeLessThan(60_000);
    await r.up();
    const none = await r.up();
    expect(none).toMatchObject({ outcome: 'nothing-to-do', applied: [], baselined: [], reverted: [] });
    expect(none.durationMs).toBeLessThan(60_000);
    expect(none.runId).not.toBe(dry.runId);
  });
});

describe('guard and migration contexts', () => {
  test('guards see the command, steps, a live signal and the target', async () => {
    const seen: Partial<GuardContext<Box>>[] = [];
    const spy = defineGuard<Box>({
      name: 'spy',
      async aroundRun(ctx, next) {
        seen.push({ command: ctx.command, steps: ctx.steps, targetLabel: ctx.targetLabel, target: ctx.target });
        expect(ctx.signal.aborted).toBe(false);
        expect(ctx.runId).toMatch(/^[0-9a-f-]{36}$/);
        await next();
      },
      async aroundStep(ctx, next) {
        seen.push({ command: ctx.command, steps: [`${ctx.migrationId}:${ctx.direction}`] });
        await next();
      },
    });
    const t = box();
    const r = createRunner({ plugin: boxPlugin([m1, m2], { guards: [spy] }), target: t });
    await r.up();
    await r.down({ to: null });
    expect(seen).toEqual([
      { command: 'up', steps: ['001', '002'], targetLabel: 'box', target: t },
      { command: 'up', steps: ['001:up'] },
      { command: 'up', steps: ['002:up'] },
      { command: 'down', steps: ['002', '001'], targetLabel: 'box', target: t },
      { command: 'down', steps: ['002:down'] },
      { command: 'down', steps: ['001:down'] },
    ]);
  });

  test('migrations see their id, direction, label and target; traits see the label', async () => {
    const seen: string[] = [];
    const m = defineMigration<Box>({
      id: '001',
      title: 'x',
      async up(ctx) {
        seen.push(`${ctx.migrationId}:${ctx.direction}:${ctx.targetLabel}:${ctx.target.name}:${ctx.signal.aborted}`);
      },
      async down(ctx) {
        seen.push(`${ctx.migrationId}:${ctx.direction}`);
      },
      async validate(ctx) {
        seen.push(`${ctx.migrationId}:${ctx.direction}`);
        return [];
      },
    });
    const trait = {
      id: 't',
      title: 't',
      fixes: [],
      detect: async (_t: Box, ctx: { targetLabel: string; signal: AbortSignal }) => (
        seen.push(`detect:${ctx.targetLabel}:${ctx.signal.aborted}`),
        null
      ),
    };
    const r = createRunner({ plugin: boxPlugin([m], { traits: [trait] }), target: box() });
    await r.up();
    await r.down({ to: null });
    expect(seen).toEqual(['detect:box:false', '001:up:box:box:false', '001:validate', 'detect:box:false', '001:down']);
  });

  test('an outer abort signal stops waiting for a busy lock', async () => {
    const t = box();
    await t.ledger.lock.acquire({ token: 'x', host: 'h', pid: 1, since: new Date().toISOString() }, 60_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(
      createRunner({
        plugin: boxPlugin([m1]),
        target: t,
        signal: controller.signal,
        lock: { waitMs: 10_000, pollMs: 5 },
      }).up(),
    ).rejects.toThrow(/aborted while waiting/);
  });
});

describe('down edge cases', () => {
  test('failed entries are not reverted and a snapshot restore only happens for irreversible steps', async () => {
    const t = box({ orig: 1 });
    const guard = snapshotGuard();
    const oneWay = defineMigration<Box>({
      id: '003',
      title: 'one way',
      async up({ target }) {
        target.data.c = 3;
      },
    });
    const plugin = boxPlugin([m1, m2, oneWay], { guards: [guard] });
    await createRunner({ plugin, target: t }).up({ to: '002' });
    await t.ledger.record({
      id: '003',
      checksum: oneWay.checksum,
      outcome: 'failed',
      at: new Date().toISOString(),
      durationMs: 0,
      by: 'x',
      runId: 'old',
    });
    t.log.length = 0;
    const result = await createRunner({ plugin, target: t }).down({ to: '001' });
    expect(result.reverted).toEqual(['002']);
    expect(t.log).toEqual(['down:002']);
    expect(t.data).toEqual({ orig: 1, a: 1 });
  });

  test('an irreversible step whose snapshot guard is not configured any more is refused', async () => {
    const t = box();
    const oneWay = defineMigration<Box>({
      id: '001',
      title: 'one way',
      async up({ target }) {
        target.data.a = 1;
      },
    });
    await createRunner({ plugin: boxPlugin([oneWay], { guards: [snapshotGuard()] }), target: t }).up();
    const other = { ...snapshotGuard(), name: 'other' };
    await expect(
      createRunner({ plugin: boxPlugin([oneWay], { guards: [other] }), target: t }).down({ to: null }),
    ).rejects.toThrow(/no snapshot guard recorded a snapshot/);
    const noRestore = defineGuard<Box>({ name: 'snap', aroundRun: async (_c, next) => next() });
    await expect(
      createRunner({ plugin: boxPlugin([oneWay], { guards: [noRestore] }), target: t }).down({ to: null }),
    ).rejects.toThrow(/IRREVERSIBLE|no snapshot guard/);
    expect(t.data).toEqual({ a: 1 });
  });

  test('down to the last applied id reverts nothing', async () => {
    const t = box();
    const r = createRunner({ plugin: boxPlugin([m1, m2]), target: t });
    await r.up();
    expect((await r.down({ to: '002' })).reverted).toEqual([]);
    expect(t.data).toEqual({ a: 1, b: 2 });
  });

  test("after a restore, only this run's applied entries are dropped", async () => {
    const t = box();
    await createRunner({ plugin: boxPlugin([m1]), target: t }).up();
    const bad = defineMigration<Box>({
      id: '003',
      title: 'bad',
      async up() {
        throw new Error('x');
      },
    });
    await expect(
      createRunner({ plugin: boxPlugin([m1, m2, bad], { guards: [snapshotGuard()] }), target: t }).up(),
    ).rejects.toThrow();
    expect((await t.ledger.read()).map((e) => [e.id, e.outcome])).toEqual([
      ['001', 'applied'],
      ['003', 'failed'],
    ]);
  });
});
