// The runner's edges: interrupts between steps, lost leases in the ledger write, what each failure records and
// emits, and a ledger that changes between the lock-free probe and the locked plan.
import { describe, expect, test } from 'vitest';
import { memoryLedger } from '../memory-ledger.js';
import type { Ledger } from '../contract.js';
import type { TidemarkEvent } from '../events.js';
import { defineGuard, defineMigration } from '../define.js';
import { box, boxPlugin, failure, flagTrait, setter, snapshotGuard, type Box } from '../test/fixtures.js';
import { createRunner } from './index.js';

const m1 = setter('001', 'a', 1);
const m2 = setter('002', 'b', 2);

/** Takes the lease from its holder, as a runner paused past its ttl loses it, and waits for the loss to land. */
async function stealLease(t: Box, signal: AbortSignal): Promise<void> {
  const held = await t.ledger.lock.inspect();
  await t.ledger.lock.release(held!);
  await t.ledger.lock.acquire({ token: 'thief', host: 'h', pid: 2, since: '2026-01-01T00:00:00.000Z' }, 60_000);
  const deadline = Date.now() + 5000;
  while (!signal.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

const fast = { ttlMs: 30, renewMs: 10 };

describe('up', () => {
  test('an interrupt during the last step fails the run: the step is not recorded as applied', async () => {
    const t = box();
    const controller = new AbortController();
    const interrupted = defineMigration<Box>({
      id: '002',
      title: 'interrupted',
      async up({ target }) {
        target.data.b = 2;
        controller.abort(new Error('SIGTERM'));
      },
    });
    const error = await failure(
      createRunner({ plugin: boxPlugin([m1, interrupted]), target: t, signal: controller.signal }).up(),
    );
    expect(error.code).toBe('STEP_FAILED');
    const entries = await t.ledger.read();
    expect(entries.find((e) => e.id === '001')?.outcome).toBe('applied');
    expect(entries.find((e) => e.id === '002')?.outcome).not.toBe('applied');
  });

  test('an interrupt before the run takes no step', async () => {
    const t = box();
    const controller = new AbortController();
    controller.abort(new Error('SIGTERM'));
    await failure(createRunner({ plugin: boxPlugin([m1, m2]), target: t, signal: controller.signal }).up());
    expect(t.log).toEqual([]);
    expect(await t.ledger.read()).toEqual([]);
  });

  test('a lease lost while the ledger takes a step stops the run before the next step, with LOCK_LOST', async () => {
    const t = box();
    // The lease is lost once a renewal is refused; the record waits for that, whatever the machine's load.
    const refused = new AbortController();
    const ledger: Ledger = {
      ...t.ledger,
      lock: {
        ...t.ledger.lock,
        renew: async (holder, ttl) => (await t.ledger.lock.renew(holder, ttl)) || (refused.abort(), false),
      },
      record: async (entry) => {
        await t.ledger.record(entry);
        if (entry.id === '001') {
          await stealLease(t, refused.signal);
          await new Promise((r) => setTimeout(r, 0));
        }
      },
    };
    const events: TidemarkEvent[] = [];
    const runner = createRunner({
      plugin: boxPlugin([m1, m2], { ledger: () => ledger }),
      target: t,
      lock: fast,
      onEvent: (e) => {
        events.push(e);
      },
    });
    const error = await failure(runner.up());
    expect(error.code).toBe('LOCK_LOST');
    expect(error.message).toMatch(/lost the lock during the run; stopped/);
    expect(t.log).toEqual(['up:001']);
    expect(events.filter((e) => e.type === 'lock:lost')).toHaveLength(1);
  });

  test('a lease lost during a step records nothing for it (the ledger is no longer this run’s)', async () => {
    const t = box();
    const stolen = defineMigration<Box>({
      id: '001',
      title: 'stolen',
      async up({ target, signal }) {
        await stealLease(target, signal);
        target.data.a = 1;
      },
    });
    const error = await failure(createRunner({ plugin: boxPlugin([stolen, m2]), target: t, lock: fast }).up());
    expect(error.code).toBe('LOCK_LOST');
    expect(error.message).toBe(
      '[tidemark] [box] target "box": migration "001" lost the lock during the run; stopped: [tidemark] target "box": lease lost',
    );
    expect(await t.ledger.read()).toEqual([]);
  });

  test('a failing step emits no lock:lost; its cause from a validator is VALIDATION_FAILED', async () => {
    const t = box();
    const invalid = setter('001', 'a', 1, { validate: async () => [{ message: 'a is wrong', where: 'data.a' }] });
    const events: TidemarkEvent[] = [];
    const error = await failure(
      createRunner({ plugin: boxPlugin([invalid]), target: t, onEvent: (e) => void events.push(e) }).up(),
    );
    expect(error.step).toBe('validate');
    expect((error.cause as { code?: string }).code).toBe('VALIDATION_FAILED');
    expect(events.map((e) => e.type)).not.toContain('lock:lost');
  });

  test('a guard failing around the run records no failed entry and warns of nothing', async () => {
    const t = box();
    const broken = defineGuard<Box>({
      name: 'broken',
      async aroundRun() {
        throw new Error('disk full');
      },
    });
    const events: TidemarkEvent[] = [];
    const error = await failure(
      createRunner({ plugin: boxPlugin([m1]), target: t, guards: [broken], onEvent: (e) => void events.push(e) }).up(),
    );
    expect(error.step).toBe('guard:broken');
    expect(error.migration).toBeUndefined();
    expect(await t.ledger.read()).toEqual([]);
    expect(events.filter((e) => e.type === 'log')).toEqual([]);
  });

  test('a restore after a failure drops this run’s applied entries only, not earlier runs’', async () => {
    const t = box();
    const snap = snapshotGuard();
    await createRunner({ plugin: boxPlugin([m1]), target: t, guards: [snap] }).up();
    const bad = setter('003', 'c', 3, { up: async () => Promise.reject(new Error('boom')) });
    const error = await failure(createRunner({ plugin: boxPlugin([m1, m2, bad]), target: t, guards: [snap] }).up());
    expect(error.message).toMatch(/the target was restored/);
    const entries = await t.ledger.read();
    expect(entries.map((e) => [e.id, e.outcome])).toEqual([
      ['001', 'applied'],
      ['003', 'failed'],
    ]);
  });

  test('results of up name nothing reverted; a dry run and a no-op start announce their plan', async () => {
    const t = box();
    const events: TidemarkEvent[] = [];
    const runner = createRunner({ plugin: boxPlugin([m1]), target: t, onEvent: (e) => void events.push(e) });
    const dry = await runner.up({ dryRun: true });
    expect(dry.reverted).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['plan:ready']);
    expect(events[0]).toMatchObject({ type: 'plan:ready', plan: { steps: [{ id: '001' }] } });
    const done = await runner.up();
    expect(done.reverted).toEqual([]);
    const noop = await runner.up();
    expect(noop).toMatchObject({ outcome: 'nothing-to-do', applied: [], baselined: [], reverted: [] });
    expect(noop.durationMs).toBeGreaterThanOrEqual(0);
    expect(noop.durationMs).toBeLessThan(60_000);
  });

  test('a no-op start still reports what its traits found (drift), once', async () => {
    const t = box();
    const plugin = boxPlugin([m1, m2], { traits: [flagTrait('legacy-b', 'b', ['002'])] });
    t.data.b = 'legacy';
    await createRunner({ plugin, target: t }).up();
    t.data.b = 'legacy';
    const events: TidemarkEvent[] = [];
    const result = await createRunner({ plugin, target: t, onEvent: (e) => void events.push(e) }).up();
    expect(result.outcome).toBe('nothing-to-do');
    expect(events.filter((e) => e.type === 'trait:detected')).toHaveLength(1);
    expect(result.plan.drift).toEqual([expect.objectContaining({ kind: 'legacy-shape', id: '002' })]);
  });

  test('a ledger changed between the probe and the lock is planned again; an unchanged one is not', async () => {
    const t = box();
    const plugin0 = boxPlugin([m1, m2], { traits: [flagTrait('legacy-b', 'b', ['002'])] });
    t.data.b = 'legacy';
    let reads = 0;
    const racing: Ledger = {
      ...t.ledger,
      read: async () => {
        reads += 1;
        // Another runner applies 001 (same count of entries: its failed record becomes applied) in between.
        if (reads === 2) await t.ledger.record({ ...(await t.ledger.read())[0]!, outcome: 'applied', runId: 'other' });
        return t.ledger.read();
      },
    };
    await t.ledger.record({
      id: '001',
      checksum: m1.checksum,
      outcome: 'failed',
      at: '2026-01-01T00:00:00.000Z',
      durationMs: 0,
      by: 'x',
      runId: 'r0',
    });
    const events: TidemarkEvent[] = [];
    const plugin = boxPlugin([m1, m2], { traits: plugin0.traits, ledger: () => racing });
    const result = await createRunner({ plugin, target: t, onEvent: (e) => void events.push(e) }).up();
    expect(result.applied).toEqual(['002']);
    expect(t.log).toEqual(['up:002']);
    expect(events.filter((e) => e.type === 'trait:detected')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'plan:ready')).toHaveLength(1);

    const u = box();
    u.data.b = 'legacy';
    let detects = 0;
    const counted = boxPlugin([m1, m2], {
      traits: [
        {
          ...flagTrait('legacy-b', 'b', ['002']),
          detect: async (x: Box) => (detects++, x.data.b === 'legacy' ? { summary: 'b' } : null),
        },
      ],
    });
    await createRunner({ plugin: counted, target: u }).up();
    expect(detects).toBe(1);
  });
});

describe('down', () => {
  test('an unknown `to` is refused by code, naming it', async () => {
    const error = await failure(createRunner({ plugin: boxPlugin([m1]), target: box() }).down({ to: 'nope' }));
    expect(error.code).toBe('UNKNOWN_MIGRATION');
    expect(error.message).toBe('[tidemark] [box] target "box": cannot roll back to unknown migration "nope"');
  });

  test('failed entries are not reverted, baselined ones without a down are, and an interrupt takes no step', async () => {
    const t = box();
    const gated = setter('002', 'b', 2, { down: undefined });
    const plugin = boxPlugin([m1, gated], { traits: [flagTrait('legacy-b', 'b', ['002'])] });
    await createRunner({ plugin, target: t }).up();
    expect((await t.ledger.read()).map((e) => e.outcome)).toEqual(['applied', 'baselined']);
    const controller = new AbortController();
    controller.abort(new Error('SIGTERM'));
    await failure(createRunner({ plugin, target: t, signal: controller.signal }).down({ to: null }));
    expect(t.log).toEqual(['up:001']);
    const result = await createRunner({ plugin, target: t }).down({ to: null });
    expect(result.reverted).toEqual(['002', '001']);
    expect(t.log).toEqual(['up:001', 'down:001']);

    const u = box();
    const failing = setter('002', 'b', 2, { up: async () => Promise.reject(new Error('no')) });
    await failure(createRunner({ plugin: boxPlugin([m1, failing]), target: u }).up());
    const back = await createRunner({ plugin: boxPlugin([m1, failing]), target: u }).down({ to: null });
    expect(back.reverted).toEqual(['001']);
    expect(u.log).toEqual(['up:001', 'down:001']);
  });

  test('a failing down names its step and emits no lock:lost; a lost lease names the count reverted', async () => {
    const t = box();
    const stuck = setter('002', 'b', 2, { down: async () => Promise.reject(new Error('locked file')) });
    await createRunner({ plugin: boxPlugin([m1, stuck]), target: t }).up();
    const events: TidemarkEvent[] = [];
    const error = await failure(
      createRunner({ plugin: boxPlugin([m1, stuck]), target: t, onEvent: (e) => void events.push(e) }).down({
        to: null,
      }),
    );
    expect(error).toMatchObject({ code: 'STEP_FAILED', migration: '002', step: 'down' });
    expect(error.message).toMatch(/rollback failed; 0 step\(s\) were reverted before the failure: locked file$/);
    expect(events.map((e) => e.type)).not.toContain('lock:lost');

    const u = box();
    const slow = setter('002', 'b', 2, {
      down: async ({ target, signal }) => {
        await stealLease(target, signal);
      },
    });
    await createRunner({ plugin: boxPlugin([m1, slow]), target: u }).up();
    const lost = await failure(
      createRunner({ plugin: boxPlugin([m1, slow]), target: u, lock: fast }).down({ to: null }),
    );
    expect(lost.code).toBe('LOCK_LOST');
    expect(lost.message).toMatch(/lost the lock during the rollback; stopped after 0 reverted step\(s\)/);
    // Stopped before the running step's entry was removed: the ledger still says 002 is applied.
    expect((await u.ledger.read()).map((e) => e.id)).toEqual(['001', '002']);
  });

  test('a restore that fails is the down step’s failure', async () => {
    const t = box();
    const snap = snapshotGuard();
    const noDown = setter('001', 'a', 1, { down: undefined });
    await createRunner({ plugin: boxPlugin([noDown]), target: t, guards: [snap] }).up();
    // The same guard at down time, restoring only (no aroundRun to wrap the failure as its own).
    const broken = defineGuard<Box>({
      name: 'snap',
      preflight: async () => {},
      restore: async () => Promise.reject(new Error('snapshot gone')),
    });
    const error = await failure(
      createRunner({ plugin: boxPlugin([noDown]), target: t, guards: [broken] }).down({ to: null }),
    );
    expect(error).toMatchObject({ code: 'STEP_FAILED', step: 'down', migration: '001' });
  });
});

describe('up, more edges', () => {
  test('a restore keeps the baselines of the failed run (the target it judged is the one restored)', async () => {
    const t = box();
    const snap = snapshotGuard();
    const bad = setter('003', 'c', 3, { up: async () => Promise.reject(new Error('boom')) });
    const plugin = boxPlugin([m1, m2, bad], { traits: [flagTrait('legacy-a', 'a', ['001'])] });
    await failure(createRunner({ plugin, target: t, guards: [snap] }).up());
    expect((await t.ledger.read()).map((e) => [e.id, e.outcome])).toEqual([
      ['001', 'baselined'],
      ['003', 'failed'],
    ]);
  });

  test('a ledger write failing outside any step or guard is the up’s failure', async () => {
    const t = box();
    const ledger: Ledger = { ...t.ledger, record: async () => Promise.reject(new Error('ledger offline')) };
    const plugin = boxPlugin([m1], { traits: [flagTrait('legacy-a', 'a', ['001'])], ledger: () => ledger });
    const error = await failure(createRunner({ plugin, target: t }).up());
    expect(error).toMatchObject({ code: 'STEP_FAILED', step: 'up' });
  });

  test('another runner finishing the work between the probe and the lock: nothing to do, nothing reverted', async () => {
    const t = box();
    let reads = 0;
    const racing: Ledger = {
      ...t.ledger,
      read: async () => {
        reads += 1;
        if (reads === 2)
          await t.ledger.record({
            id: '001',
            checksum: m1.checksum,
            outcome: 'applied',
            at: '2026-01-01T00:00:00.000Z',
            durationMs: 0,
            by: 'x',
            runId: 'other',
          });
        return t.ledger.read();
      },
    };
    const result = await createRunner({ plugin: boxPlugin([m1], { ledger: () => racing }), target: t }).up();
    expect(result).toMatchObject({ outcome: 'nothing-to-do', applied: [], baselined: [], reverted: [] });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.durationMs).toBeLessThan(60_000);
    expect(t.log).toEqual([]);
  });

  test('an unchanged ledger under the lock keeps the probe’s plan: traits are asked once', async () => {
    const t = box({ b: 'legacy' });
    let detects = 0;
    const trait = flagTrait('legacy-b', 'b', ['002']);
    const counted = boxPlugin([m1, m2, setter('003', 'c', 3)], {
      traits: [{ ...trait, detect: async (x: Box, ctx) => (detects++, trait.detect(x, ctx)) }],
    });
    await createRunner({ plugin: boxPlugin([m1]), target: t }).up();
    await createRunner({ plugin: counted, target: t }).up();
    expect(detects).toBe(1);
  });

  test('a trait is asked with the target label and signal; its finding names it', async () => {
    const t = box({ b: 'legacy' });
    const seen: string[] = [];
    const trait = flagTrait('legacy-b', 'b', ['002']);
    const events: TidemarkEvent[] = [];
    const plugin = boxPlugin([m1, m2], {
      traits: [
        {
          ...trait,
          detect: async (x: Box, ctx) => (seen.push(`${ctx.targetLabel}:${ctx.signal.aborted}`), trait.detect(x, ctx)),
        },
      ],
    });
    await createRunner({ plugin, target: t, onEvent: (e) => void events.push(e) }).up();
    expect(seen).toEqual(['box:false']);
    expect(events.find((e) => e.type === 'trait:detected')).toMatchObject({
      type: 'trait:detected',
      trait: 'legacy-b',
      evidence: { summary: 'b is legacy' },
    });
  });

  test('a baselined step is looked at again after an earlier step of the run, by its own traits only', async () => {
    const t = box();
    // 001 writes the legacy shape 003 fixes; another trait (fixing 002) finds something the whole time.
    const writer = setter('001', 'c', 'legacy');
    const plugin = boxPlugin([writer, m2, setter('003', 'c', 'fixed')], {
      traits: [flagTrait('legacy-c', 'c', ['003']), flagTrait('legacy-x', 'x', ['002'])],
    });
    t.data.x = 'legacy';
    const result = await createRunner({ plugin, target: t }).up();
    expect(result.applied).toEqual(['001', '002', '003']);
    const u = box();
    const quiet = boxPlugin([setter('001', 'q', 1), setter('002', 'x', 'fixed'), setter('003', 'c', 'fixed')], {
      traits: [flagTrait('legacy-c', 'c', ['003']), flagTrait('legacy-x', 'x', ['002'])],
    });
    u.data.x = 'legacy';
    const r2 = await createRunner({ plugin: quiet, target: u }).up();
    expect(r2.applied).toEqual(['001', '002']);
    expect(r2.baselined).toEqual(['003']);
  });

  test('a trait that cannot inspect the target fails the plan, naming it', async () => {
    const broken = { ...flagTrait('legacy-b', 'b', ['001']), detect: async () => Promise.reject(new Error('EACCES')) };
    const error = await failure(createRunner({ plugin: boxPlugin([m1], { traits: [broken] }), target: box() }).up());
    expect(error).toMatchObject({ code: 'STEP_FAILED', step: 'detect' });
    expect(error.message).toMatch(/trait "legacy-b" could not inspect the target: EACCES$/);
  });

  test('a preflight refusal says nothing was changed', async () => {
    const no = defineGuard<Box>({ name: 'readonly', preflight: async () => Promise.reject(new Error('READONLY')) });
    const error = await failure(createRunner({ plugin: boxPlugin([m1]), target: box(), guards: [no] }).up());
    expect(error.message).toBe(
      '[tidemark] [box] target "box": (guard:readonly) refused before any write; nothing was changed: READONLY',
    );
  });

  test('step context: warn and progress without total; a checkpoint loaded from a failed run is cleared after success', async () => {
    const t = box();
    const events: TidemarkEvent[] = [];
    let fail = true;
    const resumable = defineMigration<Box>({
      id: '001',
      title: 'resumable',
      async up(ctx) {
        const at = (await ctx.checkpoint.load<{ n: number }>())?.n ?? 0;
        ctx.target.log.push(`from:${at}`);
        if (fail) {
          await ctx.checkpoint.save({ n: 5 });
          throw new Error('cut');
        }
        ctx.warn('resumed', { at });
        ctx.progress(1);
      },
      validate: async () => undefined as never,
    });
    const plugin = boxPlugin([resumable]);
    await failure(createRunner({ plugin, target: t }).up());
    fail = false;
    await createRunner({ plugin, target: t, onEvent: (e) => void events.push(e) }).up();
    expect(t.log).toEqual(['from:0', 'from:5']);
    expect(await t.ledger.checkpoints.load('001')).toBeNull();
    const warn = events.find((e) => e.type === 'log');
    expect(warn).toMatchObject({ level: 'warn', message: 'resumed', migration: '001', data: { at: 5 } });
    const progress = events.find((e) => e.type === 'step:progress')!;
    expect('total' in progress || 'note' in progress).toBe(false);
    expect(events.find((e) => e.type === 'validation')).toMatchObject({ ok: true, issues: [] });
  });

  test('ctx.checkpoint.clear clears the ledger’s checkpoint', async () => {
    const t = box();
    const ledger = memoryLedger();
    const clearing = defineMigration<Box>({
      id: '001',
      title: 'clears',
      async up(ctx) {
        await ctx.checkpoint.save({ n: 1 });
        await ctx.checkpoint.clear();
        throw new Error('after clearing');
      },
    });
    await failure(createRunner({ plugin: boxPlugin([clearing], { ledger: () => ledger }), target: t }).up());
    expect(await ledger.checkpoints.load('001')).toBeNull();
  });

  test('a requirement outside the contexts is named with every missing one', async () => {
    const a = setter('001', 'a', 1, { contexts: ['A'] });
    const b = setter('000', 'z', 1, { contexts: ['A'] });
    const c = setter('002', 'b', 1, { requires: ['000', '001'] });
    const error = await failure(createRunner({ plugin: boxPlugin([b, a, c]), target: box(), contexts: ['B'] }).up());
    expect(error.message).toMatch(/requires "000", "001", which this run will not apply/);
  });
});

describe('verify and status', () => {
  test('verify runs the validators of applied migrations only, and drift alone makes it not ok', async () => {
    const t = box();
    const ran: string[] = [];
    const v = (id: string) => async () => (ran.push(id), []);
    const plugin = boxPlugin(
      [setter('001', 'a', 1, { validate: v('001') }), setter('002', 'b', 1, { validate: v('002') })],
      {
        traits: [flagTrait('legacy-b', 'b', ['002'])],
      },
    );
    await createRunner({ plugin, target: t }).up();
    ran.length = 0;
    const report = await createRunner({ plugin, target: t }).verify();
    expect(ran).toEqual(['001']);
    expect(report.ok).toBe(true);
    const edited = defineMigration<Box>({
      id: '001',
      title: 'set a',
      async up({ target }) {
        target.data.a = 'edited after it was applied';
      },
      validate: v('001'),
    });
    const changed = boxPlugin([edited, setter('002', 'b', 1, { validate: v('002') })], {
      traits: [flagTrait('legacy-b', 'b', ['002'])],
    });
    const drifted = await createRunner({ plugin: changed, target: t }).verify();
    expect(drifted.plan.drift.map((d) => d.kind)).toEqual(['checksum']);
    expect(drifted.plan.steps).toEqual([]);
    expect(drifted.ok).toBe(false);
  });

  test('status counts a failed entry as pending, an applied one not', async () => {
    const t = box();
    const bad = setter('002', 'b', 1, { up: async () => Promise.reject(new Error('no')) });
    await failure(createRunner({ plugin: boxPlugin([m1, bad]), target: t }).up());
    expect((await createRunner({ plugin: boxPlugin([m1, bad]), target: t }).status()).pending).toEqual(['002']);
  });

  test('a down failing before any step says so as the run’s, and rehearse without the capability names the plugin', async () => {
    const t = box();
    await createRunner({ plugin: boxPlugin([m1]), target: t }).up();
    const broken = defineGuard<Box>({ name: 'broken', aroundRun: async () => Promise.reject(new Error('no disk')) });
    const events: TidemarkEvent[] = [];
    await failure(
      createRunner({ plugin: boxPlugin([m1]), target: t, guards: [broken], onEvent: (e) => void events.push(e) }).down({
        to: null,
      }),
    );
    expect(events.find((e) => e.type === 'step:failed')).toMatchObject({ migration: '(run)', direction: 'down' });
    const error = await failure(createRunner({ plugin: boxPlugin([m1]), target: box() }).rehearse());
    expect(error.message).toBe(
      '[tidemark] [box] target "box": plugin "box" cannot rehearse (no copy or rolled-back transaction)',
    );
  });

  test('a rehearsal whose up fails reports nothing applied', async () => {
    const bad = setter('002', 'b', 1, { up: async () => Promise.reject(new Error('no')) });
    const plugin = boxPlugin([m1, bad], {
      async rehearse(target: Box) {
        const copy = box(structuredClone(target.data));
        return { target: copy, diff: async () => ({ summary: '', changes: [] }), dispose: async () => {} };
      },
    });
    const report = await createRunner({ plugin, target: box() }).rehearse();
    expect(report).toMatchObject({ outcome: 'failed', applied: [] });
  });
});
