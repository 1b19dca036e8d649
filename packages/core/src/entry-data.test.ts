import { describe, expect, test } from 'vitest';
import type { LedgerEntry, MigrationContext } from './contract.js';
import { defineMigration } from './define.js';
import { mergeEntryData } from './entry-data.js';
import { createRunner } from './runner/index.js';
import { box, boxPlugin, failure, flagTrait, setter, snapshotGuard, type Box } from './test/fixtures.js';

/** A step that runs `body` with its context, then sets `key` like `setter`. */
const recording = (id: string, body: (ctx: MigrationContext<Box>) => void | Promise<void>, extra = {}) =>
  defineMigration<Box>({
    id,
    title: `records ${id}`,
    async up(ctx) {
      await body(ctx);
      ctx.target.data[id] = true;
    },
    async down({ target }) {
      delete target.data[id];
    },
    ...extra,
  });

const entryOf = async (t: Box, id: string): Promise<LedgerEntry | undefined> =>
  (await t.ledger.read()).find((e) => e.id === id);

describe("ctx.record: data on the step's own ledger entry", () => {
  test('lands in the applied entry; calls merge by top-level key, undefined removes a key, the value is copied at the call', async () => {
    const t = box();
    const counts = { rows: 1 };
    const step = recording('001', (ctx) => {
      ctx.record({ backupId: 'file-1', counts, scratch: 'x' });
      counts.rows = 999; // changed after the call: the entry keeps what was recorded
      ctx.record({ backupAt: '2026-01-02T03:04:05.000Z', counts: { rows: 2, pages: [1, 2] }, scratch: undefined });
    });
    const r = createRunner({ plugin: boxPlugin([step, setter('002', 'b', 2)]), target: t });
    await r.up();
    const [first, second] = await t.ledger.read();
    expect(first).toMatchObject({ id: '001', outcome: 'applied' });
    expect(first!.data).toEqual({
      backupId: 'file-1',
      backupAt: '2026-01-02T03:04:05.000Z',
      counts: { rows: 2, pages: [1, 2] },
    });
    expect(second).toMatchObject({ id: '002', outcome: 'applied' });
    expect('data' in second!).toBe(false);
    expect((await r.status()).entries[0]!.data).toEqual(first!.data);
  });

  test('a step that records nothing, or only an empty object, gets no data field', async () => {
    const t = box();
    await createRunner({
      plugin: boxPlugin([
        recording('001', (ctx) => ctx.record({})),
        recording('002', (ctx) => ctx.record({ a: undefined })),
      ]),
      target: t,
    }).up();
    expect((await t.ledger.read()).map((e) => 'data' in e)).toEqual([false, false]);
  });

  test('secrets are redacted before they are kept: URL passwords, tokens in text, and every string under a secret-named field', async () => {
    const t = box();
    const step = recording('001', (ctx) =>
      ctx.record({
        source: 'postgres://admin:hunter2@db:5432/x',
        header: 'Authorization: Bearer abc.def',
        apiKey: 'k-123',
        auth: { user: 'ann', password: 'p4ss', tokens: ['t1', 't2'] },
        client_secret: { value: 's3', rotated: 2 },
        tokenCount: 3,
      }),
    );
    await createRunner({ plugin: boxPlugin([step]), target: t }).up();
    const data = (await entryOf(t, '001'))!.data;
    expect(data).toEqual({
      source: 'postgres://admin:***@db:5432/x',
      header: 'Authorization: Bearer ***',
      apiKey: '***',
      auth: { user: 'ann', password: '***', tokens: ['***', '***'] },
      client_secret: { value: '***', rotated: 2 },
      tokenCount: 3,
    });
    expect(JSON.stringify(await t.ledger.read())).not.toMatch(/hunter2|abc\.def|k-123|p4ss|"t1"|"s3"/);
  });

  test('data a ledger could not keep as given fails the step, naming the field; what was recorded before goes with the failure', async () => {
    const t = box();
    const step = recording('001', (ctx) => {
      ctx.record({ backupId: 'file-1' });
      ctx.record({ when: { at: new Date(0) } });
    });
    const error = await failure(createRunner({ plugin: boxPlugin([step]), target: t }).up());
    expect(error).toMatchObject({ code: 'STEP_FAILED', migration: '001', step: 'up' });
    expect(error.message).toContain('ctx.record: data.when.at is a Date; ledger data must be JSON');
    expect(t.data).toEqual({});
    expect(await entryOf(t, '001')).toMatchObject({
      outcome: 'failed',
      note: expect.stringContaining('data.when.at is a Date') as string,
      data: { backupId: 'file-1' },
    });
  });

  test.each([
    ['NaN', { n: Number.NaN }, 'data.n is NaN'],
    ['Infinity', { list: [1, Infinity] }, 'data.list[1] is Infinity'],
    ['a bigint', { big: 1n }, 'data.big is a bigint'],
    ['a function', { f: () => 1 }, 'data.f is a function'],
    ['a Map', { m: new Map() }, 'data.m is a Map'],
    ['a class instance', { e: new Error('x') }, 'data.e is an Error'],
    ['undefined in a list', { list: [1, undefined] }, 'data.list[1] is undefined; JSON would turn it into null'],
  ])('refuses %s', (_kind, data, message) => {
    expect(() => mergeEntryData({}, data as Record<string, unknown>)).toThrow(message);
  });

  test('refuses a cycle and a non-object, accepts a shared (non-cyclic) value twice and keeps "__proto__" as data', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    expect(() => mergeEntryData({}, { loop })).toThrow('data.loop.self refers back to itself');
    expect(() => mergeEntryData({}, [1] as unknown as Record<string, unknown>)).toThrow(
      'data is an array; ctx.record takes a plain object',
    );
    expect(() => mergeEntryData({}, null as unknown as Record<string, unknown>)).toThrow(
      'data is null; ctx.record takes a plain object',
    );
    const shared = { n: 1 };
    expect(mergeEntryData({}, { a: shared, b: [shared] })).toEqual({ a: { n: 1 }, b: [{ n: 1 }] });
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const merged = mergeEntryData({}, { doc: parsed });
    expect(JSON.stringify(merged)).toBe('{"doc":{"__proto__":{"polluted":true},"ok":1}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('keeps null, booleans and null-prototype objects; drops undefined fields at any depth; a value shared inside one field is copied twice', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 1 });
    const shared = { n: 1 };
    const merged = mergeEntryData(
      {},
      { flags: [true, false, null], none: null, yes: true, bare, doc: { a: shared, b: shared, gone: undefined } },
    );
    expect(JSON.parse(JSON.stringify(merged))).toEqual({
      flags: [true, false, null],
      none: null,
      yes: true,
      bare: { k: 1 },
      doc: { a: { n: 1 }, b: { n: 1 } },
    });
    expect(Object.keys(merged.doc as object)).toEqual(['a', 'b']);
    // Kept as plain data properties, as an assignment would make them (a later `entry.data.x = …` works).
    expect(Object.getOwnPropertyDescriptor(merged.doc, 'a')).toMatchObject({
      enumerable: true,
      writable: true,
      configurable: true,
    });
    expect(Object.getOwnPropertyDescriptor(merged, 'yes')).toMatchObject({
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });

  test('an object whose prototype has no constructor is named "an object"', () => {
    const orphan = Object.create(Object.create(null) as object) as object;
    expect(() => mergeEntryData({}, { o: orphan })).toThrow('data.o is an object; ledger data must be JSON');
  });

  test("a step that fails after recording: the failed entry carries its data; a snapshot restore drops the run's applied entries", async () => {
    const t = box();
    const ok = recording('001', (ctx) => ctx.record({ backupId: 'file-1' }));
    const fails = recording('002', (ctx) => {
      ctx.record({ checks: { schema: true, versions: false } });
      throw new Error('verification failed');
    });
    await failure(createRunner({ plugin: boxPlugin([ok, fails], { guards: [snapshotGuard()] }), target: t }).up());
    expect(await t.ledger.read()).toEqual([
      expect.objectContaining({
        id: '002',
        outcome: 'failed',
        note: 'up: verification failed',
        data: { checks: { schema: true, versions: false } },
      }),
    ]);
  });

  test('a validator failure keeps the data the up recorded; a validator calling record fails the step', async () => {
    const t = box();
    const invalid = recording('001', (ctx) => ctx.record({ rows: 3 }), {
      validate: async () => [{ message: 'row 2 is wrong' }],
    });
    await failure(createRunner({ plugin: boxPlugin([invalid]), target: t }).up());
    expect(await entryOf(t, '001')).toMatchObject({
      outcome: 'failed',
      note: 'validate: [tidemark] row 2 is wrong',
      data: { rows: 3 },
    });

    const t2 = box();
    const writer = recording('001', () => {}, {
      validate: async (ctx: MigrationContext<Box>) => {
        ctx.record({ checked: true });
        return [];
      },
    });
    const error = await failure(createRunner({ plugin: boxPlugin([writer]), target: t2 }).up());
    expect(error).toMatchObject({ step: 'validate', migration: '001' });
    expect(error.message).toContain('ctx.record is only for up: a validator never writes');
    expect(await entryOf(t2, '001')).toMatchObject({ outcome: 'failed' });
    expect((await entryOf(t2, '001'))!.data).toBeUndefined();
    // verify runs validators too: the refusal is reported as an issue, nothing is written
    const t3 = box();
    await createRunner({ plugin: boxPlugin([recording('001', () => {})]), target: t3 }).up();
    const before = await t3.ledger.read();
    const report = await createRunner({ plugin: boxPlugin([writer]), target: t3 }).verify();
    expect(report.validation).toEqual([
      { id: '001', issues: [{ message: expect.stringContaining('ctx.record is only for up') as string }] },
    ]);
    expect(await t3.ledger.read()).toEqual(before);
  });

  test('down cannot record (it removes the entry): the rollback fails and keeps the entry and its data', async () => {
    const t = box();
    const step = recording('001', (ctx) => ctx.record({ backupId: 'file-1' }), {
      async down(ctx: MigrationContext<Box>) {
        ctx.record({ deleted: true });
      },
    });
    const r = createRunner({ plugin: boxPlugin([step]), target: t });
    await r.up();
    const error = await failure(r.down({ to: null }));
    expect(error).toMatchObject({ step: 'down', migration: '001' });
    expect(error.message).toContain("ctx.record is only for up: down removes this step's ledger entry");
    expect(await entryOf(t, '001')).toMatchObject({ outcome: 'applied', data: { backupId: 'file-1' } });
  });

  test('after down, a new up records afresh: no data of the reverted run survives', async () => {
    const t = box();
    let run = 0;
    const step = recording('001', (ctx) => {
      run += 1;
      ctx.record({ run, ...(run === 1 ? { firstOnly: true } : {}) });
    });
    const r = createRunner({ plugin: boxPlugin([step]), target: t });
    await r.up();
    expect((await entryOf(t, '001'))!.data).toEqual({ run: 1, firstOnly: true });
    await r.down({ to: null });
    expect(await t.ledger.read()).toEqual([]);
    await r.up();
    expect((await entryOf(t, '001'))!.data).toEqual({ run: 2 });
  });

  test('the "interrupted" record and baselines carry no data; a dry run runs no step and records nothing', async () => {
    const t = box({ b: 'legacy' });
    const during: (LedgerEntry | undefined)[] = [];
    const gated = recording('002', async (ctx) => {
      ctx.record({ fixed: 'b' });
      during.push(await entryOf(ctx.target, '002'));
      ctx.target.data.b = 'fixed';
    });
    const neverRuns = recording('003', (ctx) => ctx.record({ ran: true }));
    const plugin = boxPlugin([setter('001', 'a', 1), gated, neverRuns], {
      traits: [flagTrait('legacy-b', 'b', ['002']), flagTrait('legacy-c', 'c', ['003'])],
    });

    const dry = await createRunner({ plugin, target: t }).up({ dryRun: true });
    expect(dry.outcome).toBe('dry-run');
    expect(await t.ledger.read()).toEqual([]);

    await createRunner({ plugin, target: t }).up();
    expect(during[0]).toMatchObject({ outcome: 'failed', note: 'interrupted: the run stopped during this step' });
    expect(during[0]!.data).toBeUndefined();
    const entries = await t.ledger.read();
    expect(entries.map((e) => [e.id, e.outcome, e.data])).toEqual([
      ['001', 'applied', undefined],
      ['002', 'applied', { fixed: 'b' }],
      ['003', 'baselined', undefined],
    ]);
  });
});
