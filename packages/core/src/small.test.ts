import { describe, expect, test } from 'vitest';
import { checksumOf, normalizeSource, sha256 } from './checksum.js';
import { defineGuard, defineMigration, definePlugin, defineTrait } from './define.js';
import { createError, isTidemarkError, TidemarkError } from './errors.js';
import { EventStream, type TidemarkEvent } from './events.js';
import { consoleSink } from './sinks/console.js';
import { jsonLinesSink } from './sinks/json-lines.js';
import type { Plan } from './plan.js';
import { setter } from './test/fixtures.js';

describe('createError', () => {
  test('names the plugin, redacts, keeps the cause, and defaults to INVALID_INPUT', () => {
    const cause = new Error('connect postgres://app:hunter2@db/x refused');
    const e = createError('fleet', 'run-sync: cannot reach the source', { cause });
    expect(e.message).toBe(
      '[tidemark] [fleet] run-sync: cannot reach the source: connect postgres://app:***@db/x refused',
    );
    expect(isTidemarkError(e, 'INVALID_INPUT')).toBe(true);
    expect(e.cause).toBe(cause);
    expect(createError('sheets', 'x', { code: 'NOT_SUPPORTED', migration: '002' }).message).toBe(
      '[tidemark] [sheets] migration "002" x',
    );
  });
});

describe('checksum', () => {
  test('formatting, comments, semicolons, commas and quote style do not change it', () => {
    const a = "async ({ target }) => { // set it\n  target.x = 'a';\n}";
    const b = 'async ({ target }) => {\n    /* set */ target.x = "a"\n  }';
    expect(normalizeSource(a)).toBe(normalizeSource(b));
    expect(normalizeSource('f(a, b)')).not.toBe(normalizeSource('f(ab)'));
    expect(normalizeSource('const u = "http://x"')).toContain('http://x');
  });

  test('code, id, requires and revision each change it', () => {
    const up = async () => {};
    const base = checksumOf({ id: 'a', functions: [up] });
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(checksumOf({ id: 'a', functions: [up] })).toBe(base);
    expect(checksumOf({ id: 'b', functions: [up] })).not.toBe(base);
    expect(checksumOf({ id: 'a', requires: ['x'], functions: [up] })).not.toBe(base);
    expect(checksumOf({ id: 'a', revision: 1, functions: [up] })).not.toBe(base);
    expect(checksumOf({ id: 'a', functions: [async () => void 1] })).not.toBe(base);
    expect(checksumOf({ id: 'a', functions: [up, undefined] })).not.toBe(base);
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('define*', () => {
  test('defineMigration computes a checksum, defaults requires, and freezes', () => {
    const m = defineMigration({ id: '001_x', title: 'X', async up() {} });
    expect(m.checksum).toHaveLength(16);
    expect(m.requires).toEqual([]);
    expect(Object.isFrozen(m)).toBe(true);
    expect(defineMigration({ id: '001_x', title: 'X', checksum: 'pinned', async up() {} }).checksum).toBe('pinned');
  });

  test('bad ids and empty titles are refused', () => {
    expect(() => defineMigration({ id: 'has space', title: 'X', async up() {} })).toThrow(
      /migration id "has space" must match/,
    );
    expect(() => defineMigration({ id: '-x', title: 'X', async up() {} })).toThrow(TidemarkError);
    expect(() => defineMigration({ id: 'ok', title: '  ', async up() {} })).toThrow(/migration "ok" needs a title/);
    expect(() => defineTrait({ id: 'bad id', title: 't', fixes: [], detect: async () => null })).toThrow(
      /trait id "bad id"/,
    );
    expect(defineTrait({ id: 'ok.trait:1', title: 't', fixes: [], detect: async () => null }).id).toBe('ok.trait:1');
  });

  test('a guard must wrap something', () => {
    expect(() => defineGuard({ name: 'empty' })).toThrow(/guard "empty" does nothing/);
    expect(defineGuard({ name: 'g', aroundStep: async (_c, next) => next() }).name).toBe('g');
  });

  test('definePlugin checks ids, requires and trait fixes', () => {
    const base = {
      name: 'p',
      ledger: () => {
        throw new Error('unused');
      },
      describe: () => 'x',
    };
    expect(() => definePlugin({ ...base, migrations: [setter('a', 'a', 1), setter('a', 'b', 1)] })).toThrow(
      /\[p\] migration id "a" is defined twice/,
    );
    expect(() => definePlugin({ ...base, migrations: [setter('a', 'a', 1, { requires: ['z'] })] })).toThrow(
      /\[p\] migration "a" requires unknown migration "z"/,
    );
    expect(() =>
      definePlugin({
        ...base,
        migrations: [setter('a', 'a', 1)],
        traits: [defineTrait({ id: 't', title: 't', fixes: ['q'], detect: async () => null })],
      }),
    ).toThrow(/trait "t" names unknown migration "q"/);
    // A cycle is a definition error too, named when the plugin is defined rather than at its first run.
    expect(() =>
      definePlugin({
        ...base,
        migrations: [setter('a', 'a', 1, { requires: ['b'] }), setter('b', 'b', 1, { requires: ['a'] })],
      }),
    ).toThrow(/cycle.*a -> b -> a|cycle.*b -> a -> b/);
    expect(definePlugin({ ...base, migrations: [setter('a', 'a', 1)] }).name).toBe('p');
  });
});

describe('events', () => {
  test('every listener gets every event; unsubscribe stops delivery', () => {
    const stream = new EventStream();
    const a: string[] = [];
    const b: string[] = [];
    const off = stream.on((e) => a.push(e.type));
    stream.on((e) => b.push(e.type));
    stream.emit({ type: 'lock:acquired', at: 'now', target: 't' });
    off();
    stream.emit({ type: 'lock:released', at: 'now', target: 't' });
    expect(a).toEqual(['lock:acquired']);
    expect(b).toEqual(['lock:acquired', 'lock:released']);
  });

  test('a sink that throws is removed and never breaks the run', () => {
    const stream = new EventStream();
    const seen: string[] = [];
    let calls = 0;
    stream.on(() => {
      calls++;
      throw new Error('sink down');
    });
    stream.on((e) => seen.push(e.type));
    const warn = process.emitWarning;
    const warnings: string[] = [];
    process.emitWarning = ((w: string) => void warnings.push(String(w))) as typeof process.emitWarning;
    try {
      stream.emit({ type: 'lock:acquired', at: 'now', target: 't' });
      stream.emit({ type: 'lock:released', at: 'now', target: 't' });
    } finally {
      process.emitWarning = warn;
    }
    expect(calls).toBe(1);
    expect(seen).toEqual(['lock:acquired', 'lock:released']);
    expect(warnings[0]).toContain('sink down');
  });
});

describe('sinks', () => {
  const plan: Plan = {
    target: 'run-1',
    steps: [{ id: '001', title: 'a', reasons: [{ kind: 'pending' }], why: 'not in the ledger' }],
    baseline: [{ id: '002', title: 'b', note: 'shape absent' }],
    drift: [{ kind: 'checksum', id: '000', recorded: 'a', current: 'b' }],
    external: [{ trait: 'ash', title: 'ash', needs: 'the ash model', evidence: { summary: '2 pickles' } }],
    applied: [],
    findings: {},
  };
  const at = '2026-01-01T00:00:00.000Z';
  const events: TidemarkEvent[] = [
    { type: 'plan:ready', at, target: 'run-1', plan },
    { type: 'lock:waiting', at, target: 'run-1', holder: 'h:1', expiresAt: at },
    {
      type: 'step:started',
      at,
      target: 'run-1',
      migration: '001',
      title: 'set a',
      direction: 'up',
      index: 0,
      total: 2,
    },
    { type: 'step:progress', at, target: 'run-1', migration: '001', done: 5, total: 10 },
    { type: 'step:progress', at, target: 'run-1', migration: '001', done: 5.9, total: 10 },
    {
      type: 'validation',
      at,
      target: 'run-1',
      migration: '001',
      ok: false,
      issues: [{ where: 'f.csv', message: 'NaN' }],
    },
    { type: 'step:finished', at, target: 'run-1', migration: '001', direction: 'up', durationMs: 12 },
    { type: 'step:baselined', at, target: 'run-1', migration: '002', note: 'x' },
    { type: 'step:failed', at, target: 'run-1', migration: '003', direction: 'up', error: 'boom' },
    { type: 'guard', at, target: 'run-1', guard: 'archive', action: 'ARCHIVE_COMPLETE' },
    { type: 'log', at, target: 'run-1', level: 'warn', message: 'row skipped', migration: '001' },
    { type: 'run:finished', at, target: 'run-1', command: 'up', outcome: 'failed', durationMs: 40, applied: [] },
  ];

  test('console: readable lines, no colour codes when asked, progress every 10% off a TTY', () => {
    let out = '';
    const sink = consoleSink({ stream: { write: (s: string) => (out += s) }, color: false });
    for (const e of events) sink(e);
    expect(out).toBe(
      [
        'run-1 plan: 1 to apply, 1 to baseline, 1 drift, 1 external',
        '  → 001 not in the ledger',
        '  = 002 shape absent',
        '  ! drift checksum 000',
        '  ? ash needs the ash model: 2 pickles',
        'run-1 waiting for lock held by h:1 (expires 2026-01-01T00:00:00.000Z)',
        'run-1 [1/2] up 001 set a',
        '  001 50% (5/10)',
        '  invalid f.csv: NaN',
        'run-1 ✓ 001 12 ms',
        'run-1 = 002 baselined',
        'run-1 ✗ 003: boom',
        'run-1 guard archive: ARCHIVE_COMPLETE',
        'run-1 warn 001: row skipped',
        'run-1 up failed 40 ms',
        '',
      ].join('\n'),
    );
  });

  test('console: colour when asked; a TTY gets a redrawn bar', () => {
    let out = '';
    const sink = consoleSink({ stream: { write: (s: string) => (out += s), isTTY: true }, color: true });
    sink(events[3]!);
    sink(events[6]!);
    expect(out).toContain('█'.repeat(15));
    expect(out).toContain('50% 5/10');
    expect(out).toContain('\u001b[32m✓\u001b[0m');
  });

  test('console: NO_COLOR wins on a TTY', () => {
    const old = process.env.NO_COLOR;
    process.env.NO_COLOR = '1';
    try {
      let out = '';
      consoleSink({ stream: { write: (s: string) => (out += s), isTTY: true } })(events[6]!);
      expect(out).not.toContain('\u001b[32m');
    } finally {
      if (old === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = old;
    }
  });

  test('console: every event in colour, exactly (each colour says what kind of line it is)', () => {
    let out = '';
    const sink = consoleSink({ stream: { write: (s: string) => (out += s) }, color: true });
    const more: TidemarkEvent[] = [
      { type: 'validation', at, target: 'run-1', migration: '001', ok: false, issues: [{ message: 'no where' }] },
      { type: 'validation', at, target: 'run-1', migration: '001', ok: true, issues: [{ message: 'ignored when ok' }] },
      { type: 'log', at, target: 'run-1', level: 'info', message: 'plain note' },
      { type: 'run:finished', at, target: 'run-1', command: 'down', outcome: 'ok', durationMs: 7, applied: [] },
      { type: 'lock:acquired', at, target: 'run-1' },
    ];
    for (const e of [...events.filter((e) => e.type !== 'step:progress'), ...more]) sink(e);
    const c = (n: number, s: string) => `\u001b[${n}m${s}\u001b[0m`;
    const w = c(2, 'run-1');
    expect(out.split('\n')).toEqual([
      `${w} plan: 1 to apply, 1 to baseline, 1 drift, 1 external`,
      `  ${c(36, '→')} 001 ${c(2, 'not in the ledger')}`,
      `  ${c(2, '=')} 002 ${c(2, 'shape absent')}`,
      `  ${c(33, '!')} drift checksum 000`,
      `  ${c(33, '?')} ash needs the ash model: 2 pickles`,
      `${w} waiting for lock held by h:1 (expires ${at})`,
      `${w} ${c(36, '[1/2]')} up 001 ${c(2, 'set a')}`,
      `  ${c(31, 'invalid')} f.csv: NaN`,
      `${w} ${c(32, '✓')} 001 ${c(2, '12 ms')}`,
      `${w} ${c(2, '= 002 baselined')}`,
      `${w} ${c(31, '✗')} 003: boom`,
      `${w} ${c(2, 'guard archive: ARCHIVE_COMPLETE')}`,
      `${w} ${c(33, 'warn')} 001: row skipped`,
      `${w} ${c(31, 'up failed')} ${c(2, '40 ms')}`,
      `  ${c(31, 'invalid')} no where`,
      `${w} ${c(2, 'info')} plain note`,
      `${w} ${c(32, 'down ok')} ${c(2, '7 ms')}`,
      '',
    ]);
  });

  test('console: colour by default on a TTY only; progress can be turned off; no bar without a total', () => {
    const old = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      let tty = '';
      consoleSink({ stream: { write: (s: string) => (tty += s), isTTY: true } })(events[6]!);
      expect(tty).toContain('\u001b[32m✓\u001b[0m');
      let pipe = '';
      consoleSink({ stream: { write: (s: string) => (pipe += s), isTTY: false } })(events[6]!);
      expect(pipe).toBe('run-1 ✓ 001 12 ms\n');
    } finally {
      if (old !== undefined) process.env.NO_COLOR = old;
    }
    let off = '';
    const quiet = consoleSink({ stream: { write: (s: string) => (off += s) }, color: false, progress: false });
    quiet(events[3]!);
    expect(off).toBe('');
    let none = '';
    const sink = consoleSink({ stream: { write: (s: string) => (none += s), isTTY: true }, color: false });
    sink({ type: 'step:progress', at, target: 'run-1', migration: '001', done: 3 });
    sink({ type: 'step:progress', at, target: 'run-1', migration: '001', done: 3, total: 0 });
    sink({ type: 'step:progress', at, target: 'run-1', migration: '001', done: 3, total: -4 });
    expect(none).toBe('');
    let plain = '';
    const lines = consoleSink({ stream: { write: (s: string) => (plain += s) }, color: false, progress: true });
    lines({ type: 'step:progress', at, target: 'run-1', migration: '001', done: 3 });
    lines({ type: 'step:progress', at, target: 'run-1', migration: '001', done: 3, total: 0 });
    lines({ type: 'step:progress', at, target: 'run-1', migration: '001', done: 3, total: -4 });
    expect(plain).toBe('');
  });

  test('console: the TTY bar is exact, redrawn in place, and cleared before the next line', () => {
    let out = '';
    const sink = consoleSink({
      stream: { write: (s: string) => (out += s), isTTY: true },
      color: false,
      progress: true,
    });
    sink({ type: 'step:progress', at, target: 'run-1', migration: '001', done: 1, total: 4, note: 'rows' });
    sink({ type: 'step:progress', at, target: 'run-1', migration: '001', done: 5, total: 4 });
    sink(events[6]!);
    sink(events[6]!);
    const bar = (filled: number) => `${'█'.repeat(filled)}${'░'.repeat(30 - filled)}`;
    expect(out).toBe(
      `\r\u001b[K  ${bar(8)} 25% 1/4 rows\r\u001b[K  ${bar(30)} 100% 5/4\r\u001b[Krun-1 ✓ 001 12 ms\nrun-1 ✓ 001 12 ms\n`,
    );
  });

  test('json lines: one parseable object per event', () => {
    let out = '';
    const sink = jsonLinesSink({ write: (s: string) => ((out += s), true) });
    sink(events[0]!);
    sink(events[2]!);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toEqual(events[2]);
  });
});
