import { describe, expect, test } from 'vitest';
import { defineGuard, defineMigration } from './define.js';
import type { LedgerEntry } from './contract.js';
import { isTidemarkError } from './errors.js';
import type { TidemarkEvent } from './events.js';
import { createRunner } from './runner/index.js';
import { box, boxPlugin, failure, flagTrait, setter, snapshotGuard, tracingGuard, type Box } from './test/fixtures.js';

const m1 = setter('001', 'a', 1);
const m2 = setter('002', 'b', 2, { requires: ['001'] });
const boom = (id: string, extra = {}) =>
  defineMigration<Box>({
    id,
    title: 'explodes',
    async up({ target }) {
      target.data.half = 'written';
      throw new Error('disk on fire at postgres://admin:hunter2@db:5432/x');
    },
    ...extra,
  });

describe('up', () => {
  test('applies pending migrations in order and records each with its checksum, outcome, timing and runner', async () => {
    const t = box();
    const events: TidemarkEvent[] = [];
    const r = createRunner({
      plugin: boxPlugin([m1, m2]),
      target: t,
      by: 'ann@host:1',
      onEvent: (e) => events.push(e),
    });
    const result = await r.up();
    expect(result.outcome).toBe('ok');
    expect(result.applied).toEqual(['001', '002']);
    expect(t.data).toEqual({ a: 1, b: 2 });
    const entries = await t.ledger.read();
    expect(entries.map((e) => [e.id, e.checksum, e.outcome, e.by, e.runId])).toEqual([
      ['001', m1.checksum, 'applied', 'ann@host:1', result.runId],
      ['002', m2.checksum, 'applied', 'ann@host:1', result.runId],
    ]);
    expect(entries.every((e) => e.durationMs >= 0 && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    const types = events.map((e) => e.type);
    expect(types).toEqual([
      'lock:acquired',
      'plan:ready',
      'run:started',
      'step:started',
      'step:finished',
      'step:started',
      'step:finished',
      'run:finished',
      'lock:released',
    ]);
    expect(events.every((e) => e.target === 'box')).toBe(true);
    const started = events.filter((e) => e.type === 'step:started');
    expect(started.map((e) => (e.type === 'step:started' ? [e.index, e.total, e.direction, e.title] : null))).toEqual([
      [0, 2, 'up', 'set a'],
      [1, 2, 'up', 'set b'],
    ]);
    expect(await t.ledger.lock.inspect()).toBeNull();
  });

  test('a second up has nothing to do and touches nothing', async () => {
    const t = box();
    const r = createRunner({ plugin: boxPlugin([m1]), target: t });
    await r.up();
    t.log.length = 0;
    const again = await r.up();
    expect(again.outcome).toBe('nothing-to-do');
    expect(again.applied).toEqual([]);
    expect(t.log).toEqual([]);
  });

  test('`to` applies up to and including that id', async () => {
    const t = box();
    const result = await createRunner({ plugin: boxPlugin([m1, m2, setter('003', 'c', 3)]), target: t }).up({
      to: '002',
    });
    expect(result.applied).toEqual(['001', '002']);
    expect(t.data).toEqual({ a: 1, b: 2 });
  });

  test('dry-run plans and writes nothing, not even the lock', async () => {
    const t = box();
    let acquired = 0;
    const lock = t.ledger.lock;
    const plugin = boxPlugin([m1], {
      ledger: () => ({ ...t.ledger, lock: { ...lock, acquire: async (h, ttl) => (acquired++, lock.acquire(h, ttl)) } }),
    });
    const result = await createRunner({ plugin, target: t }).up({ dryRun: true });
    expect(result.outcome).toBe('dry-run');
    expect(result.plan.steps.map((s) => s.id)).toEqual(['001']);
    expect(t.data).toEqual({});
    expect(await t.ledger.read()).toEqual([]);
    expect(acquired).toBe(0);
  });

  test('baselines trait-gated migrations whose shape is absent, with a note, without running them', async () => {
    const t = box({ b: 'modern' });
    const events: TidemarkEvent[] = [];
    const plugin = boxPlugin([m1, m2], { traits: [flagTrait('legacy-b', 'b', ['002'])] });
    const result = await createRunner({ plugin, target: t, onEvent: (e) => events.push(e) }).up();
    expect(result.applied).toEqual(['001']);
    expect(result.baselined).toEqual(['002']);
    expect(t.log).toEqual(['up:001']);
    const e2 = (await t.ledger.read()).find((e) => e.id === '002')!;
    expect(e2).toMatchObject({
      outcome: 'baselined',
      checksum: m2.checksum,
      note: 'legacy shape not found: legacy-b detected nothing',
    });
    expect(events.some((e) => e.type === 'step:baselined' && e.migration === '002')).toBe(true);
  });

  test('runs trait-gated migrations whose shape is present and emits the detection', async () => {
    const t = box({ b: 'legacy' });
    const events: TidemarkEvent[] = [];
    const plugin = boxPlugin([m1, m2], { traits: [flagTrait('legacy-b', 'b', ['002'])] });
    const result = await createRunner({ plugin, target: t, onEvent: (e) => events.push(e) }).up();
    expect(result.applied).toEqual(['001', '002']);
    expect(events.find((e) => e.type === 'trait:detected')).toMatchObject({
      trait: 'legacy-b',
      evidence: { summary: 'b is legacy' },
    });
  });

  test('a baselined step whose shape an earlier step produced is run after all, and the stamp remembers where it was', async () => {
    const t = box();
    t.version = 5;
    const producer = defineMigration<Box>({
      id: '001',
      title: 'move sidecar into place',
      async up({ target }) {
        target.data.b = 'legacy';
      },
    });
    const fixer = setter('002', 'b', 'fixed', { version: 9 });
    const events: TidemarkEvent[] = [];
    const plugin = boxPlugin([producer, fixer], {
      traits: [flagTrait('legacy-b', 'b', ['002'])],
      stamp: { read: async (b) => b.version, write: async (b, v) => void (b.version = v) },
    });
    const result = await createRunner({ plugin, target: t, onEvent: (e) => events.push(e) }).up();
    expect(result.plan.baseline.map((b) => b.id)).toEqual(['002']);
    expect(result.applied).toEqual(['001', '002']);
    expect(result.baselined).toEqual([]);
    expect(t.data.b).toBe('fixed');
    expect(
      events
        .filter((e) => e.type === 'step:started')
        .map((e) => (e.type === 'step:started' ? [e.migration, e.index, e.total] : [])),
    ).toEqual([
      ['001', 0, 1],
      ['002', 1, 2],
    ]);
    expect((await t.ledger.read()).map((e) => [e.id, e.outcome, e.versionBefore])).toEqual([
      ['001', 'applied', 5],
      ['002', 'applied', 5],
    ]);
    expect(t.version).toBe(9);
  });

  test('down puts the stamp back (also after a baseline-only run); a lost stamp write is retried by the next up', async () => {
    const t = box();
    t.version = 1000;
    let failWrite = false;
    const stamp = {
      read: async (b: Box) => b.version,
      write: async (b: Box, v: number) => {
        if (failWrite) throw new Error('disk full');
        b.version = v;
      },
    };
    const plugin = boxPlugin([setter('001', 'a', 1, { version: 1001 }), setter('002', 'b', 1, { version: 1002 })], {
      stamp,
      traits: [flagTrait('t', 'z', ['001', '002'])],
    });
    await createRunner({ plugin, target: t }).up();
    expect(t.version).toBe(1002);
    await createRunner({ plugin, target: t }).down({ to: '001' });
    expect(t.version).toBe(1001);
    await createRunner({ plugin, target: t }).down({ to: null });
    expect(t.version).toBe(1000);

    const t2 = box();
    const plain = boxPlugin([setter('001', 'a', 1, { version: 1001 })], { stamp });
    failWrite = true;
    await expect(createRunner({ plugin: plain, target: t2 }).up()).rejects.toThrow('disk full');
    await t2.ledger.record({
      id: '001',
      checksum: plain.migrations[0]!.checksum,
      outcome: 'applied',
      at: new Date().toISOString(),
      durationMs: 0,
      by: 'x',
      runId: 'r',
    });
    failWrite = false;
    expect((await createRunner({ plugin: plain, target: t2 }).up()).outcome).toBe('nothing-to-do');
    expect(t2.version).toBe(1001);
  });

  test('down removes a stamp that was not stored before the run that wrote it (baseline-only run)', async () => {
    // Like nodb.version: when absent, read() derives a version, so writing that guess back would add a stamp.
    const stamp = {
      read: async (b: Box) => (typeof b.data.stamp === 'number' ? b.data.stamp : 1000),
      write: async (b: Box, v: number) => void (b.data.stamp = v),
      stored: async (b: Box) => 'stamp' in b.data,
      remove: async (b: Box) => void delete b.data.stamp,
    };
    const plugin = boxPlugin([setter('001', 'a', 1, { version: 1001 }), setter('002', 'b', 1, { version: 1002 })], {
      stamp,
      traits: [flagTrait('t', 'z', ['001', '002'])],
    });
    const t = box();
    expect((await createRunner({ plugin, target: t }).up()).baselined).toEqual(['001', '002']);
    expect(t.data).toEqual({ stamp: 1002 });
    expect((await t.ledger.read()).map((e) => [e.id, e.versionBefore])).toEqual([
      ['001', null],
      ['002', null],
    ]);
    await createRunner({ plugin, target: t }).down({ to: '001' });
    expect(t.data, '001 stays baselined: the stamp follows it').toEqual({ stamp: 1001 });
    await createRunner({ plugin, target: t }).down({ to: null });
    expect(t.data).toEqual({});
    expect(t.log).toEqual([]);

    const stored = box({ stamp: 1000 });
    await createRunner({ plugin, target: stored }).up();
    await createRunner({ plugin, target: stored }).down({ to: null });
    expect(stored.data, 'a stamp that was stored goes back to its value').toEqual({ stamp: 1000 });
  });

  test('a baseline is not re-checked when no step ran before it', async () => {
    let detections = 0;
    const trait = { id: 't', title: 't', fixes: ['001'], detect: async () => (detections++, null) };
    await createRunner({ plugin: boxPlugin([m1, m2], { traits: [trait] }), target: box() }).up();
    expect(detections).toBe(1);
  });

  test('only baselines: the run records them and reports ok', async () => {
    const t = box();
    const plugin = boxPlugin([m1], { traits: [flagTrait('x', 'a', ['001'])] });
    const result = await createRunner({ plugin, target: t }).up();
    expect(result).toMatchObject({ outcome: 'ok', applied: [], baselined: ['001'] });
  });

  test('guards nest in declared order around the run and around each step', async () => {
    const t = box();
    await createRunner({
      plugin: boxPlugin([m1, m2], { guards: [tracingGuard('outer'), tracingGuard('inner')] }),
      target: t,
    }).up();
    expect(t.log).toEqual([
      'outer:run:in',
      'inner:run:in',
      'outer:step:001:in',
      'inner:step:001:in',
      'up:001',
      'inner:step:001:out',
      'outer:step:001:out',
      'outer:step:002:in',
      'inner:step:002:in',
      'up:002',
      'inner:step:002:out',
      'outer:step:002:out',
      'inner:run:out',
      'outer:run:out',
    ]);
  });

  test('`guards` replaces the plugin defaults and `extraGuards` adds inside them', async () => {
    const t = box();
    const plugin = boxPlugin([m1], { guards: [tracingGuard('default')] });
    await createRunner({ plugin, target: t, guards: [tracingGuard('mine')] }).up();
    expect(t.log.filter((l) => l.endsWith('run:in'))).toEqual(['mine:run:in']);
    const t2 = box();
    await createRunner({ plugin, target: t2, extraGuards: [tracingGuard('extra')] }).up();
    expect(t2.log.filter((l) => l.endsWith('run:in'))).toEqual(['default:run:in', 'extra:run:in']);
  });

  test('a failing step: error names target, migration, phase and cause; ledger records the failure; secrets redacted', async () => {
    const t = box();
    const events: TidemarkEvent[] = [];
    const error = await failure(
      createRunner({ plugin: boxPlugin([m1, boom('002')]), target: t, onEvent: (e) => events.push(e) }).up(),
    );
    expect(error.code).toBe('STEP_FAILED');
    expect(error.migration).toBe('002');
    expect(error.step).toBe('up');
    expect(error.target).toBe('box');
    expect(error.message).toBe(
      '[tidemark] [box] target "box": migration "002" (up) failed; 1 earlier step(s) of this run stay applied: disk on fire at postgres://admin:***@db:5432/x',
    );
    expect(error.message).not.toContain('hunter2');
    const entries = await t.ledger.read();
    expect(entries.map((e) => [e.id, e.outcome])).toEqual([
      ['001', 'applied'],
      ['002', 'failed'],
    ]);
    expect(entries[1]!.note).toBe('up: disk on fire at postgres://admin:***@db:5432/x');
    const failed = events.find((e) => e.type === 'step:failed');
    expect(failed).toMatchObject({ migration: '002', direction: 'up' });
    expect(JSON.stringify(events)).not.toContain('hunter2');
    expect(events.at(-2)).toMatchObject({ type: 'run:finished', outcome: 'failed', applied: ['001'] });
    expect(await t.ledger.lock.inspect()).toBeNull();
  });

  test("after a snapshot guard restored, the ledger drops this run's applied entries and keeps the failure", async () => {
    const t = box({ keep: true });
    const error = await failure(
      createRunner({ plugin: boxPlugin([m1, boom('002')], { guards: [snapshotGuard()] }), target: t }).up(),
    );
    expect(error.message).toContain('the target was restored to its state before the run');
    expect(t.data).toEqual({ keep: true });
    expect((await t.ledger.read()).map((e) => [e.id, e.outcome])).toEqual([['002', 'failed']]);
  });

  test('a rerun after a failure retries the failed step and succeeds once fixed', async () => {
    const t = box();
    let fail = true;
    const flaky = defineMigration<Box>({
      id: '002',
      title: 'flaky',
      async up({ target }) {
        if (fail) throw new Error('transient');
        target.data.b = 2;
      },
    });
    const plugin = boxPlugin([m1, flaky], { guards: [snapshotGuard()] });
    await failure(createRunner({ plugin, target: t }).up());
    fail = false;
    const plan = await createRunner({ plugin, target: t }).plan();
    expect(plan.steps.map((s) => [s.id, s.why])).toEqual([
      ['001', 'not in the ledger'],
      ['002', 'not in the ledger; retry after failure (up: transient)'],
    ]);
    const result = await createRunner({ plugin, target: t }).up();
    expect(result.applied).toEqual(['001', '002']);
    expect((await t.ledger.read()).map((e) => e.outcome)).toEqual(['applied', 'applied']);
  });

  test('validation issues fail the step with phase "validate" and the issues in the message', async () => {
    const t = box();
    const bad = setter('001', 'a', 1, {
      validate: async () => [{ where: 'a.csv:3', message: 'NaN in topaz_id' }, { message: 'count differs' }],
    });
    const events: TidemarkEvent[] = [];
    const error = await failure(
      createRunner({ plugin: boxPlugin([bad]), target: t, onEvent: (e) => events.push(e) }).up(),
    );
    expect(error.step).toBe('validate');
    expect(error.message).toContain('a.csv:3: NaN in topaz_id; count differs');
    expect(events.find((e) => e.type === 'validation')).toMatchObject({ migration: '001', ok: false });
    expect((await t.ledger.read())[0]).toMatchObject({ id: '001', outcome: 'failed' });
  });

  test('a validator that throws fails the step in phase "validate"', async () => {
    const t = box();
    const bad = setter('001', 'a', 1, {
      validate: async () => {
        throw new Error('cannot read');
      },
    });
    const error = await failure(createRunner({ plugin: boxPlugin([bad]), target: t }).up());
    expect(error.step).toBe('validate');
    expect(error.message).toContain('cannot read');
  });

  test('a passing validator emits an ok validation event', async () => {
    const events: TidemarkEvent[] = [];
    const good = setter('001', 'a', 1, { validate: async () => [] });
    await createRunner({ plugin: boxPlugin([good]), target: box(), onEvent: (e) => events.push(e) }).up();
    expect(events.find((e) => e.type === 'validation')).toMatchObject({ ok: true, issues: [] });
  });

  test('a guard that refuses names itself, and nothing is recorded as failed for a migration', async () => {
    const t = box();
    const readonly = defineGuard<Box>({
      name: 'readonly',
      async aroundRun() {
        throw new Error('READONLY run');
      },
    });
    const error = await failure(createRunner({ plugin: boxPlugin([m1], { guards: [readonly] }), target: t }).up());
    expect(error.step).toBe('guard:readonly');
    expect(error.message).toContain('READONLY run');
    expect(t.data).toEqual({});
    expect(await t.ledger.read()).toEqual([]);
  });

  test('a refusing guard also stops baseline records (a read-only target gets no writes at all)', async () => {
    const t = box();
    const seen: (readonly string[])[] = [];
    const readonly = defineGuard<Box>({
      name: 'readonly',
      async aroundRun(ctx) {
        seen.push(ctx.steps);
        throw new Error('READONLY');
      },
    });
    const plugin = boxPlugin([m1], { traits: [flagTrait('t', 'a', ['001'])], guards: [readonly] });
    const error = await failure(createRunner({ plugin, target: t }).up());
    expect(error.step).toBe('guard:readonly');
    expect(seen).toEqual([[]]);
    expect(await t.ledger.read()).toEqual([]);
  });

  test('a preflight refusal happens before the lease and before any write; dry-run and plan skip it', async () => {
    const t = box();
    let acquires = 0;
    const lock = t.ledger.lock;
    const seen: string[] = [];
    const readonly = defineGuard<Box>({
      name: 'readonly',
      async preflight(ctx) {
        seen.push(`${ctx.command}:${ctx.targetLabel}:${ctx.target === t}:${ctx.signal.aborted}`);
        throw new Error('READONLY marker present');
      },
    });
    const plugin = boxPlugin([m1], {
      guards: [readonly],
      ledger: () => ({ ...t.ledger, lock: { ...lock, acquire: async (h, ttl) => (acquires++, lock.acquire(h, ttl)) } }),
    });
    const events: TidemarkEvent[] = [];
    const r = createRunner({ plugin, target: t, onEvent: (e) => events.push(e) });
    const error = await failure(r.up());
    expect(error.step).toBe('guard:readonly');
    expect(error.message).toBe(
      '[tidemark] [box] target "box": (guard:readonly) refused before any write; nothing was changed: READONLY marker present',
    );
    expect(events).toMatchObject([
      { type: 'guard', guard: 'readonly', action: 'refused', detail: { reason: 'READONLY marker present' } },
    ]);
    expect((await failure(r.down({ to: null }))).step).toBe('guard:readonly');
    expect(seen).toEqual(['up:box:true:false', 'down:box:true:false']);
    expect(acquires).toBe(0);
    expect(await t.ledger.read()).toEqual([]);
    expect((await r.up({ dryRun: true })).outcome).toBe('dry-run');
    expect((await r.down({ to: null, dryRun: true })).outcome).toBe('dry-run');
    expect((await r.plan()).steps.map((s) => s.id)).toEqual(['001']);
    expect(seen).toHaveLength(2);
  });

  test('a passing preflight lets the run go on', async () => {
    const t = box();
    const ok = defineGuard<Box>({ name: 'ok', preflight: async () => {} });
    expect((await createRunner({ plugin: boxPlugin([m1], { guards: [ok] }), target: t }).up()).applied).toEqual([
      '001',
    ]);
  });

  test('a guard that forgets next() is an error, not a silent success', async () => {
    const t = box();
    const lazy = defineGuard<Box>({ name: 'lazy', async aroundStep() {} });
    const error = await failure(createRunner({ plugin: boxPlugin([m1], { guards: [lazy] }), target: t }).up());
    expect(error.step).toBe('guard:lazy');
    expect(error.message).toContain('did not call next()');
    expect((await t.ledger.read()).filter((e) => e.outcome === 'applied')).toEqual([]);
  });

  test('a ledger that fails to record is named as the failing part, not a guard', async () => {
    const t = box();
    const events: TidemarkEvent[] = [];
    const broken = {
      ...t.ledger,
      record: async () => {
        throw new Error('sheet quota exceeded');
      },
    };
    const error = await failure(
      createRunner({
        plugin: boxPlugin([m1], { guards: [tracingGuard('g')], ledger: () => broken }),
        target: t,
        onEvent: (e) => events.push(e),
      }).up(),
    );
    expect(error.step).toBe('ledger');
    expect(error.migration).toBe('001');
    expect(error.message).toContain('sheet quota exceeded');
    expect(events.find((e) => e.type === 'log' && e.level === 'warn')).toMatchObject({
      message: 'could not record the failure in the ledger: sheet quota exceeded',
    });
  });

  test('checkpoints are cleared only for steps that used them', async () => {
    const t = box();
    const cleared: string[] = [];
    const ledger = {
      ...t.ledger,
      checkpoints: { ...t.ledger.checkpoints, clear: async (id: string) => void cleared.push(id) },
    };
    const saver = defineMigration<Box>({
      id: '002',
      title: 'saves',
      async up({ checkpoint }) {
        await checkpoint.save({ n: 1 });
      },
    });
    const reader = defineMigration<Box>({
      id: '003',
      title: 'reads nothing',
      async up({ checkpoint }) {
        await checkpoint.load();
      },
    });
    await createRunner({ plugin: boxPlugin([m1, saver, reader], { ledger: () => ledger }), target: t }).up();
    expect(cleared).toEqual(['002']);
  });

  test('a trait-gated step is marked interrupted while it runs, so a crash mid-step is retried, not baselined', async () => {
    const t = box({ b: 'legacy' });
    const during: unknown[] = [];
    const fixer = defineMigration<Box>({
      id: '002',
      title: 'fix b',
      async up({ target }) {
        during.push((await target.ledger.read()).find((e) => e.id === '002'));
        target.data.b = 'fixed';
      },
    });
    const ungated = defineMigration<Box>({
      id: '001',
      title: 'plain',
      async up({ target }) {
        during.push((await target.ledger.read()).find((e) => e.id === '001') ?? 'no entry');
      },
    });
    const plugin = boxPlugin([ungated, fixer], { traits: [flagTrait('legacy-b', 'b', ['002'])] });
    await createRunner({ plugin, target: t }).up();
    expect(during[0]).toBe('no entry');
    expect(during[1]).toMatchObject({ outcome: 'failed', note: 'interrupted: the run stopped during this step' });
    expect((await t.ledger.read()).map((e) => e.outcome)).toEqual(['applied', 'applied']);
    // a process that died mid-step leaves exactly that record: the next plan retries instead of baselining
    await t.ledger.record({ ...(during[1] as LedgerEntry) });
    t.data.b = 'fixed';
    const plan = await createRunner({ plugin, target: t }).plan();
    expect(plan.steps.map((s) => [s.id, s.why])).toEqual([
      ['002', 'retry after failure (interrupted: the run stopped during this step)'],
    ]);
  });

  test('a ledger may opt out of interrupted records', async () => {
    const t = box({ b: 'legacy' });
    const writes: string[] = [];
    const ledger = {
      ...t.ledger,
      skipIntentRecords: true,
      record: async (e: LedgerEntry) => (writes.push(`${e.id}:${e.outcome}`), t.ledger.record(e)),
    };
    await createRunner({
      plugin: boxPlugin([setter('002', 'b', 2)], {
        traits: [flagTrait('legacy-b', 'b', ['002'])],
        ledger: () => ledger,
      }),
      target: t,
    }).up();
    expect(writes).toEqual(['002:applied']);
  });

  test('progress, log and warn from a migration reach the event stream', async () => {
    const events: TidemarkEvent[] = [];
    const chatty = defineMigration<Box>({
      id: '001',
      title: 'chatty',
      async up(ctx) {
        ctx.progress(5, 10, 'rows');
        ctx.progress(6);
        ctx.log('hello', { n: 1 });
        ctx.warn('row 7 skipped');
      },
    });
    await createRunner({ plugin: boxPlugin([chatty]), target: box(), onEvent: (e) => events.push(e) }).up();
    expect(
      events.filter((e) => e.type === 'step:progress').map((e) => ({ ...e, at: undefined, runId: undefined })),
    ).toStrictEqual([
      {
        type: 'step:progress',
        target: 'box',
        migration: '001',
        done: 5,
        total: 10,
        note: 'rows',
        at: undefined,
        runId: undefined,
      },
      { type: 'step:progress', target: 'box', migration: '001', done: 6, at: undefined, runId: undefined },
    ]);
    expect(
      events.filter((e) => e.type === 'log').map((e) => (e.type === 'log' ? [e.level, e.message, e.data] : [])),
    ).toEqual([
      ['info', 'hello', { n: 1 }],
      ['warn', 'row 7 skipped', undefined],
    ]);
  });

  test('checkpoints survive a failed run and are cleared after success', async () => {
    const t = box();
    const seen: unknown[] = [];
    let crash = true;
    const resumable = defineMigration<Box>({
      id: '001',
      title: 'batches',
      async up({ target, checkpoint }) {
        const start = (await checkpoint.load<{ next: number }>())?.next ?? 0;
        seen.push(start);
        for (let i = start; i < 4; i++) {
          target.data[`row${i}`] = true;
          await checkpoint.save({ next: i + 1 });
          if (crash && i === 1) throw new Error('crash');
        }
      },
    });
    const plugin = boxPlugin([resumable]);
    await failure(createRunner({ plugin, target: t }).up());
    expect(await t.ledger.checkpoints.load('001')).toEqual({ next: 2 });
    crash = false;
    await createRunner({ plugin, target: t }).up();
    expect(seen).toEqual([0, 2]);
    expect(await t.ledger.checkpoints.load('001')).toBeNull();
  });

  test('without ledger checkpoints, a checkpoint lives for the run only', async () => {
    const t = box();
    const values: unknown[] = [];
    const m = defineMigration<Box>({
      id: '001',
      title: 'mem',
      async up({ checkpoint }) {
        values.push(await checkpoint.load());
        await checkpoint.save({ x: 1 });
        values.push(await checkpoint.load());
        await checkpoint.clear();
        values.push(await checkpoint.load());
      },
    });
    const plugin = boxPlugin([m], {
      ledger: () => ({ read: t.ledger.read, record: t.ledger.record, remove: t.ledger.remove, lock: t.ledger.lock }),
    });
    await createRunner({ plugin, target: t }).up();
    expect(values).toEqual([null, { x: 1 }, null]);
  });

  test('the stamp is raised to the highest version bundle applied or baselined, never lowered', async () => {
    const t = box();
    const stamp = { read: async (b: Box) => b.version, write: async (b: Box, v: number) => void (b.version = v) };
    const plugin = boxPlugin(
      [setter('001', 'a', 1, { version: 1001 }), setter('002', 'b', 1, { version: 1002 }), setter('003', 'c', 1)],
      {
        stamp,
        traits: [flagTrait('t', 'b', ['002'])],
      },
    );
    await createRunner({ plugin, target: t }).up();
    expect(t.version).toBe(1002);
    const t2 = box();
    t2.version = 2000;
    await createRunner({ plugin, target: t2 }).up();
    expect(t2.version).toBe(2000);
  });

  test('a trait that cannot inspect the target fails the plan with phase "detect"', async () => {
    const broken = {
      id: 'x',
      title: 'x',
      fixes: [],
      detect: async () => {
        throw new Error('invalid JSON in ron.nodb');
      },
    };
    const error = await failure(createRunner({ plugin: boxPlugin([m1], { traits: [broken] }), target: box() }).up());
    expect(error.step).toBe('detect');
    expect(error.message).toContain('trait "x" could not inspect the target: invalid JSON in ron.nodb');
  });
});

describe('lock', () => {
  test('a busy lock is waited for, with an event naming the holder, then taken', async () => {
    const t = box();
    const events: TidemarkEvent[] = [];
    const holder = { token: 'other', host: 'elsewhere', pid: 42, since: new Date().toISOString() };
    await t.ledger.lock.acquire(holder, 60_000);
    setTimeout(() => void t.ledger.lock.release(holder), 80);
    const result = await createRunner({
      plugin: boxPlugin([m1]),
      target: t,
      onEvent: (e) => events.push(e),
      lock: { waitMs: 5000, pollMs: 5 },
    }).up();
    expect(result.applied).toEqual(['001']);
    expect(events.find((e) => e.type === 'lock:waiting')).toMatchObject({ holder: 'elsewhere:42' });
  });

  test('nothing pending: up neither takes nor waits for the lock (a busy lock does not delay a start)', async () => {
    const t = box();
    await createRunner({ plugin: boxPlugin([m1]), target: t }).up();
    await t.ledger.lock.acquire({ token: 'other', host: 'h2', pid: 7, since: new Date().toISOString() }, 60_000);
    const events: TidemarkEvent[] = [];
    const result = await createRunner({
      plugin: boxPlugin([m1]),
      target: t,
      onEvent: (e) => events.push(e),
      lock: { waitMs: 60, pollMs: 5 },
    }).up();
    expect(result.outcome).toBe('nothing-to-do');
    expect(events.map((e) => e.type)).toEqual(['plan:ready']);
  });

  test('something pending: the plan made before the lock is made again if another runner wrote the ledger meanwhile', async () => {
    const t = box();
    let detections = 0;
    const trait = { id: 't', title: 't', fixes: ['002'], detect: async () => (detections++, { summary: 'b missing' }) };
    const holder = { token: 'other', host: 'h2', pid: 7, since: new Date().toISOString() };
    await t.ledger.lock.acquire(holder, 60_000);
    const plugin = boxPlugin([m1, m2], { traits: [trait] });
    const run = createRunner({ plugin, target: t, lock: { waitMs: 5000, pollMs: 5 } }).up();
    // the lock's holder records 001 while this one waits for the lock
    await new Promise((r) => setTimeout(r, 30));
    await t.ledger.record({
      id: '001',
      checksum: m1.checksum,
      outcome: 'applied',
      at: new Date().toISOString(),
      durationMs: 0,
      by: 'h2:7',
      runId: 'other',
    });
    await t.ledger.lock.release(holder);
    const result = await run;
    expect(result.applied).toEqual(['002']);
    expect(detections, 'probed once, planned again under the lock').toBe(2);
  });

  test('waiting longer than waitMs fails with LOCK_TIMEOUT naming the holder, and changes nothing', async () => {
    const t = box();
    await t.ledger.lock.acquire({ token: 'other', host: 'h2', pid: 7, since: '2026-01-01T00:00:00.000Z' }, 60_000);
    const error = await failure(
      createRunner({ plugin: boxPlugin([m1]), target: t, lock: { waitMs: 60, pollMs: 5 } }).up(),
    );
    expect(error.code).toBe('LOCK_TIMEOUT');
    expect(error.message).toMatch(/lock not acquired within 60 ms held by h2:7 since 2026-01-01T00:00:00.000Z/);
    expect(t.data).toEqual({});
  });

  test("a crashed holder's lease expires and the next runner proceeds", async () => {
    const t = box();
    await t.ledger.lock.acquire({ token: 'dead', host: 'h', pid: 1, since: new Date().toISOString() }, 50);
    const result = await createRunner({ plugin: boxPlugin([m1]), target: t, lock: { waitMs: 2000, pollMs: 5 } }).up();
    expect(result.applied).toEqual(['001']);
  });

  test('a lease lost mid-run stops before the next step with LOCK_LOST', async () => {
    const t = box();
    const slow = defineMigration<Box>({
      id: '001',
      title: 'slow',
      async up({ target, signal }) {
        // another process steals the lease (e.g. this one was paused past its ttl)
        const stolen = await target.ledger.lock.inspect();
        await target.ledger.lock.release(stolen!);
        await target.ledger.lock.acquire(
          { token: 'thief', host: 'h', pid: 2, since: new Date().toISOString() },
          60_000,
        );
        const deadline = Date.now() + 5000;
        while (!signal.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        target.data.a = 1;
      },
    });
    const types: string[] = [];
    const error = await failure(
      createRunner({
        plugin: boxPlugin([slow, m2]),
        target: t,
        lock: { ttlMs: 30, renewMs: 10 },
        onEvent: (e) => types.push(e.type),
      }).up(),
    );
    expect(error.code).toBe('LOCK_LOST');
    expect(types.filter((x) => x === 'lock:lost')).toHaveLength(1);
    expect(types.indexOf('lock:lost')).toBeLessThan(types.indexOf('run:finished'));
    expect(t.log).not.toContain('up:002');
    expect((await t.ledger.lock.inspect())?.token).toBe('thief');
  });
});

describe('down', () => {
  test('reverts applied migrations after `to`, newest first, and removes their entries', async () => {
    const t = box();
    const m3 = setter('003', 'c', 3);
    const r = createRunner({ plugin: boxPlugin([m1, m2, m3]), target: t });
    await r.up();
    t.log.length = 0;
    const result = await r.down({ to: '001' });
    expect(result.reverted).toEqual(['003', '002']);
    expect(t.log).toEqual(['down:003', 'down:002']);
    expect(t.data).toEqual({ a: 1 });
    expect((await t.ledger.read()).map((e) => e.id)).toEqual(['001']);
  });

  test('`to: null` reverts everything; baselined entries are simply dropped', async () => {
    const t = box();
    const plugin = boxPlugin([m1, m2], { traits: [flagTrait('t', 'b', ['002'])] });
    const r = createRunner({ plugin, target: t });
    await r.up();
    const result = await r.down({ to: null });
    expect(result.reverted).toEqual(['002', '001']);
    expect(t.log).toEqual(['up:001', 'down:001']);
    expect(await t.ledger.read()).toEqual([]);
  });

  test('dry-run lists what would be reverted and changes nothing', async () => {
    const t = box();
    const r = createRunner({ plugin: boxPlugin([m1, m2]), target: t });
    await r.up();
    const result = await r.down({ to: null, dryRun: true });
    expect(result).toMatchObject({ outcome: 'dry-run', reverted: ['002', '001'] });
    expect(t.data).toEqual({ a: 1, b: 2 });
    expect(await t.ledger.read()).toHaveLength(2);
  });

  test('an irreversible step without a snapshot is refused up front and nothing changes', async () => {
    const t = box();
    const oneWay = defineMigration<Box>({
      id: '002',
      title: 'one way',
      async up({ target }) {
        target.data.b = 2;
      },
    });
    const r = createRunner({ plugin: boxPlugin([m1, oneWay, setter('003', 'c', 3)]), target: t });
    await r.up();
    const error = await failure(r.down({ to: null }));
    expect(error.code).toBe('IRREVERSIBLE');
    expect(error.message).toContain(
      'migration "002" (down) has no down and no snapshot guard recorded a snapshot to restore; nothing was changed',
    );
    expect(t.data).toEqual({ a: 1, b: 2, c: 3 });
    expect(await t.ledger.read()).toHaveLength(3);
  });

  test('an irreversible step is rolled back from its snapshot; steps before `to` in that run are re-applied', async () => {
    const t = box({ orig: true });
    const guard = snapshotGuard();
    const oneWay = defineMigration<Box>({
      id: '002',
      title: 'one way',
      requires: ['001'],
      async up({ target }) {
        target.data.b = 'two';
      },
    });
    const plugin = boxPlugin([m1, oneWay, setter('003', 'c', 3)], { guards: [guard] });
    const r = createRunner({ plugin, target: t });
    await r.up();
    expect((await t.ledger.read()).map((e) => e.snapshot)).toEqual([
      { guard: 'snap', ref: 's1' },
      { guard: 'snap', ref: 's1' },
      { guard: 'snap', ref: 's1' },
    ]);
    const result = await r.down({ to: '001' });
    expect(result.reverted).toEqual(['003', '002']);
    expect(result.applied).toEqual(['001']);
    expect(t.data).toEqual({ orig: true, a: 1 });
    expect((await t.ledger.read()).map((e) => e.id)).toEqual(['001']);
  });

  test('down to an unknown id is refused', async () => {
    const error = await failure(createRunner({ plugin: boxPlugin([m1]), target: box() }).down({ to: 'nope' }));
    expect(error.code).toBe('UNKNOWN_MIGRATION');
  });

  test('a failing down names the migration and keeps its entry', async () => {
    const t = box();
    const stuck = setter('002', 'b', 2, {
      down: async () => {
        throw new Error('table in use');
      },
    });
    const r = createRunner({ plugin: boxPlugin([m1, stuck]), target: t });
    await r.up();
    const error = await failure(r.down({ to: null }));
    expect(error.migration).toBe('002');
    expect(error.step).toBe('down');
    expect(error.message).toContain('rollback failed; 0 step(s) were reverted before the failure: table in use');
    expect((await t.ledger.read()).map((e) => e.id)).toEqual(['001', '002']);
  });
});

describe('verify, status, plan, rehearse', () => {
  test('verify: ok after up; reports validation issues, drift and pending work otherwise', async () => {
    const t = box();
    let broken = false;
    const checked = setter('001', 'a', 1, { validate: async () => (broken ? [{ message: 'a is wrong' }] : []) });
    const r = createRunner({ plugin: boxPlugin([checked]), target: t });
    expect((await r.verify()).ok).toBe(false);
    await r.up();
    expect(await r.verify()).toMatchObject({ ok: true, validation: [] });
    broken = true;
    expect(await r.verify()).toMatchObject({
      ok: false,
      validation: [{ id: '001', issues: [{ message: 'a is wrong' }] }],
    });
  });

  test('verify reports a validator that throws as an issue and never writes', async () => {
    const t = box();
    const throwing = setter('001', 'a', 1, {
      validate: async ({ target }) => {
        if (target.data.a === 1) throw new Error('unreadable');
        return [];
      },
    });
    await createRunner({ plugin: boxPlugin([setter('001', 'a', 1)]), target: t }).up();
    const before = JSON.stringify(await t.ledger.read());
    const report = await createRunner({ plugin: boxPlugin([throwing]), target: t }).verify();
    expect(report.validation).toEqual([{ id: '001', issues: [{ message: 'validator threw: unreadable' }] }]);
    expect(report.plan.drift.map((d) => d.kind)).toEqual(['checksum']);
    expect(JSON.stringify(await t.ledger.read())).toBe(before);
  });

  test('verify skips validators of baselined migrations', async () => {
    const t = box();
    const never = setter('001', 'a', 1, { validate: async () => [{ message: 'should not run' }] });
    const plugin = boxPlugin([never], { traits: [flagTrait('t', 'a', ['001'])] });
    await createRunner({ plugin, target: t }).up();
    expect((await createRunner({ plugin, target: t }).verify()).ok).toBe(true);
  });

  test('status lists entries, pending, unknown ids, the lock holder and the version', async () => {
    const t = box();
    t.version = 7;
    await t.ledger.record({
      id: 'ghost',
      checksum: 'x',
      outcome: 'applied',
      at: '2026-01-01T00:00:00.000Z',
      durationMs: 0,
      by: 'x',
      runId: 'r',
    });
    await t.ledger.record({
      id: '002',
      checksum: 'x',
      outcome: 'failed',
      at: '2026-01-01T00:00:00.000Z',
      durationMs: 0,
      by: 'x',
      runId: 'r',
    });
    const holder = { token: 'h', host: 'host', pid: 3, since: '2026-01-01T00:00:00.000Z' };
    await t.ledger.lock.acquire(holder, 60_000);
    const plugin = boxPlugin([m1, m2, setter('003', 'c', 1, { contexts: ['OFF'] })], {
      stamp: { read: async (b) => b.version, write: async () => {} },
    });
    const s = await createRunner({ plugin, target: t, contexts: ['ON'] }).status();
    expect(s.target).toBe('box');
    expect(s.pending).toEqual(['001', '002']);
    expect(s.unknown).toEqual(['ghost']);
    expect(s.lock).toMatchObject({ host: 'host', pid: 3 });
    expect(s.version).toBe(7);
    expect(s.entries).toHaveLength(2);
    expect((await createRunner({ plugin: boxPlugin([m1]), target: box() }).status()).version).toBeNull();
  });

  test('plan emits plan:ready and writes nothing', async () => {
    const t = box();
    const events: TidemarkEvent[] = [];
    const plan = await createRunner({ plugin: boxPlugin([m1]), target: t, onEvent: (e) => events.push(e) }).plan();
    expect(plan.steps.map((s) => s.id)).toEqual(['001']);
    expect(events.map((e) => e.type)).toEqual(['plan:ready']);
    expect(await t.ledger.read()).toEqual([]);
  });

  test('rehearse needs the capability', async () => {
    const error = await failure(createRunner({ plugin: boxPlugin([m1]), target: box() }).rehearse());
    expect(error.code).toBe('NOT_SUPPORTED');
  });

  test('rehearse applies on the copy, reports the diff, disposes it, and leaves the target alone', async () => {
    const t = box({ x: 1 });
    let disposed = false;
    const plugin = boxPlugin([m1, m2], {
      async rehearse(target) {
        const copy = box(structuredClone(target.data));
        return {
          target: copy,
          diff: async () => ({
            summary: `${Object.keys(copy.data).length - Object.keys(target.data).length} keys added`,
            changes: [],
          }),
          dispose: async () => void (disposed = true),
        };
      },
    });
    const runs: string[] = [];
    const report = await createRunner({
      plugin,
      target: t,
      onEvent: (e) =>
        void (e.type === 'run:started' || e.type === 'run:finished' ? runs.push(`${e.type}:${e.command}`) : 0),
    }).rehearse();
    expect(report).toMatchObject({ outcome: 'ok', applied: ['001', '002'], diff: { summary: '2 keys added' } });
    expect(runs).toEqual(['run:started:rehearse', 'run:finished:rehearse']);
    expect(disposed).toBe(true);
    expect(t.data).toEqual({ x: 1 });
    expect(await t.ledger.read()).toEqual([]);
  });

  test('a failing rehearsal is reported, not thrown, and still disposed', async () => {
    let disposed = false;
    const plugin = boxPlugin([boom('001')], {
      async rehearse() {
        return {
          target: box(),
          diff: async () => ({ summary: 'none', changes: [] }),
          dispose: async () => void (disposed = true),
        };
      },
    });
    const report = await createRunner({ plugin, target: box() }).rehearse();
    expect(report.outcome).toBe('failed');
    expect(report.error).toContain('disk on fire');
    expect(report.error).not.toContain('hunter2');
    expect(disposed).toBe(true);
  });

  test('errors thrown are TidemarkErrors with codes', async () => {
    const error = await failure(createRunner({ plugin: boxPlugin([boom('001')]), target: box() }).up());
    expect(isTidemarkError(error, 'STEP_FAILED')).toBe(true);
    expect(isTidemarkError(error, 'LOCK_LOST')).toBe(false);
    expect(isTidemarkError(new Error('x'))).toBe(false);
  });
});
