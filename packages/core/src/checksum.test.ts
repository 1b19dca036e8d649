// One definition compiled by tsc (ESM, CommonJS), jiti (babel), tsx (esbuild) or vitest (vite SSR) prints
// different source text; its checksum must not differ. Each pair below is what two of those tools print for
// the same code (release 0.1 hashed them differently), then what must still differ.
import { describe, expect, test } from 'vitest';
import { checksumMatches, checksumOf, legacyChecksumOf, normalizeSource } from './checksum.js';
import { defineMigration } from './define.js';

/** A function whose source text is `text`, as a compiler would have printed it. */
const printed = (text: string) => Object.assign(() => undefined, { toString: () => text });

const same = (a: string, b: string) => expect(normalizeSource(a), `${a}\n  vs\n${b}`).toBe(normalizeSource(b));
const differ = (a: string, b: string) => expect(normalizeSource(a), `${a}\n  vs\n${b}`).not.toBe(normalizeSource(b));

describe('normalizeSource: one text for every compiler', () => {
  test('CommonJS import access is the imported name (tsc, babel/jiti, vite)', () => {
    const esm = 'async (ctx) => { await fmt(ctx.id); }';
    same(esm, 'async (ctx) => {\n    await (0, helper_js_1.fmt)(ctx.id);\n}');
    same(esm, 'async (ctx) => {\n  await (0, _helper.fmt)(ctx.id);\n}');
    same(esm, 'async (ctx) => {\n\t\tawait (0,__vite_ssr_import_1__.fmt)(ctx.id);\n\t}');
    // A module's own export, read back through `exports` by tsc's CommonJS.
    same('() => `${MARK}!`', '() => `${exports.MARK}!`');
  });

  test('default and aliased imports: the local name is lost under CommonJS, so bindings are numbered', () => {
    same(
      '() => { const t = new Tally(); return wait(t); }',
      '() => { const t = new tally_js_1.default(); return (0, helper_js_1.pause)(t); }',
    );
    same('() => { const t = new Tally(); return t; }', '() => { const t = new _tally.default(); return t; }');
    // esbuild (tsx) prints a `new` without arguments bare.
    same('()=>{const t=new Tally;return t}', '() => { const t = new Tally(); return t; }');
    // Shorthand properties are spelled out under CommonJS.
    same('() => ({ fmt, MARK })', '() => ({ fmt: helper_js_1.fmt, MARK: exports.MARK })');
  });

  test('esbuild keep-names wrappers (tsx) go', () => {
    same(
      'async (ctx) => { const f = __name((x) => x + 1, "f"); return f(ctx); }',
      'async (ctx) => { const f = (x) => x + 1; return f(ctx); }',
    );
    same(
      'function(){class Issue{constructor(m){this.m=m}static{__name(this,"Issue")}}return Issue}',
      'function () {\n  class Issue {\n    constructor(m) {\n      this.m = m;\n    }\n  }\n  return Issue;\n}',
    );
    same('function(){function g(){}__name(g,"g");return g}', 'function () { function g() { } return g; }');
  });

  test('`void 0` is `undefined`, and a class field declared without a value (a parameter property) goes', () => {
    same('(x) => x === void 0', '(x) => x === undefined');
    same(
      '() => { class A { message; constructor(message) { this.message = message; } } }',
      '() => { class A { constructor(message) {this.message = message;} } }',
    );
    same(
      '() => { class A { constructor(message) { this.message = message; } message; } }',
      '() => { class A { constructor(message) {this.message = message;} } }',
    );
  });

  test('redundant parentheses, as babel and esbuild drop them and tsc keeps them', () => {
    same('(row) => row.a > 1', 'row=>row.a>1');
    same(
      'rows.filter((row) => row.t === undefined || (row.t.length > 80))',
      'rows.filter((row) => row.t === undefined || row.t.length > 80)',
    );
    same('xs.map((x, i) => (i === 0 ? `[${x}]` : x))', 'xs.map((x,i)=>i===0?`[${x}]`:x)');
    same('const n = (a * b) + c;', 'const n = a * b + c');
    same('const n = ((a)) - (b - c);', 'const n = a - (b - c)');
    // A prefix operator on a prefix operator's operand (oxc, under vitest, drops these).
    same('if (!(await exists(f))) return;', 'if (!await exists(f)) return;');
  });

  test('quotes, escapes, templates without substitutions, numbers and layout', () => {
    same(`() => ['it\\'s', 'tab\\there', \`plain\`, 1_000]`, '()=>["it\'s","tab\there","plain",1e3]');
    same('() => \'say "hi"\'', '() => "say \\"hi\\""');
    same('() => "\\x41\\u0042\\u{43}"', '() => "ABC"');
    // A malformed escape never fails a definition.
    expect(normalizeSource('() => "\\u{zz" + "\\xZ"')).toBe('( ) => "u{zz" + "xZ"');
    same('() => {\n  // why\n  return [a, b,];\n}', '()=>{return[a,b]}');
  });
});

describe('normalizeSource: what still changes the checksum', () => {
  test('parentheses that group, operators, names of properties, strings and argument lists', () => {
    differ('const n = (a + b) * c', 'const n = a + b * c');
    differ('const n = a - (b - c)', 'const n = a - b - c');
    differ('const n = (await x).y', 'const n = await x.y');
    differ('const n = !(a && b)', 'const n = !a && b');
    differ('const n = typeof (a + b)', 'const n = typeof a + b');
    differ('const n = (a, b)', 'const n = a');
    differ('() => ({ a })', '() => { a }');
    differ('f(a, b)', 'f(ab)');
    differ('(x) => x.a', '(x) => x.b');
    differ('(x) => ({ a: x })', '(x) => ({ b: x })');
    differ('() => "a"', '() => "b"');
    differ('() => `${a}-${b}`', '() => `${a}+${b}`');
    differ('(a, b) => a - b', '(a, b) => b - a');
    differ('(x) => x === undefined', '(x) => x === null');
    differ('() => JSON.parse(s)', '() => JSON.stringify(s)');
    differ('(x) => /a+/.test(x)', '(x) => /a*/.test(x)');
  });
});

describe('checksums', () => {
  test('legacyChecksumOf is what release 0.1 computed', () => {
    const parts = {
      id: '001_x',
      requires: ['000'],
      revision: 2,
      functions: [
        printed("async (ctx) => { ctx.target.x = 'a'; }"),
        undefined,
        printed('async function (ctx) {\n  return [];\n}'),
      ],
    };
    // Computed by 0.1's checksumOf (9b2923a) for these parts.
    expect(legacyChecksumOf(parts)).toBe('3c2bb0842a03c455');
    expect(checksumOf(parts)).not.toBe('3c2bb0842a03c455');
  });

  test('each required id counts on its own', () => {
    const up = printed('() => 1');
    expect(checksumOf({ id: 'a', requires: ['x', 'y'], functions: [up] })).not.toBe(
      checksumOf({ id: 'a', requires: ['xy'], functions: [up] }),
    );
  });

  test("legacyChecksumOf drops what 0.1 dropped (comments, quote style, whitespace, ';' and ',') and nothing else", () => {
    const legacy = (...texts: string[]) => legacyChecksumOf({ id: 'a', functions: texts.map(printed) });
    const same0 = (a: string, b: string) => expect(legacy(a), `${a} vs ${b}`).toBe(legacy(b));
    const differ0 = (a: string, b: string) => expect(legacy(a), `${a} vs ${b}`).not.toBe(legacy(b));
    // Block comments, across lines and lazily: the code between two comments stays.
    same0('() => /* a b\n c */ x', '() => x');
    same0('() => /* a */ x /* b */', '() => x');
    differ0('() => /* a */ x /* b */', '() => ');
    // Line comments up to the line's end, at the very start too; the character before one stays.
    same0('// up\n() => x', '() => x');
    same0('() => x// one\n+ y', '() => x\n+ y');
    differ0('() => x// one\n+ y', '() => \n+ y');
    differ0('() => x // one\n+ y', '() => x // two\n- y');
    // `//` after `:` or a quote is text (a URL, a string), not a comment.
    differ0('() => "http://a"', '() => "http:"');
    differ0("() => '//a'", "() => ''");
    // Quotes are one style; whitespace, semicolons and commas go, every one of them.
    same0("() => 'a'", '() => "a"');
    same0('() => `a`', '() => "a"');
    same0('(a, b) => { a;; b }', '(a,b)=>{a b}');
    differ0('() => a + b', '() => a - b');
  });

  test('tsc ESM and CommonJS texts of one migration give one checksum; 0.1 gave two', () => {
    const esm = [printed('async up(ctx) {\n        const t = new Tally();\n        await wait(fmt(ctx.id));\n    }')];
    const cjs = [
      printed(
        'async up(ctx) {\n        const t = new tally_js_1.default();\n        await (0, helper_js_1.pause)((0, helper_js_1.fmt)(ctx.id));\n    }',
      ),
    ];
    expect(checksumOf({ id: 'a', functions: esm })).toBe(checksumOf({ id: 'a', functions: cjs }));
    expect(legacyChecksumOf({ id: 'a', functions: esm })).not.toBe(legacyChecksumOf({ id: 'a', functions: cjs }));
  });

  test('defineMigration accepts the 0.1 checksum of its own definition after the ones it declares', () => {
    const up = printed('async (ctx) => { ctx.target.x = void 0; }') as never;
    const m = defineMigration<{ x?: string }>({ id: '001_x', title: 'X', up, previousChecksums: ['0a1b2c3d4e5f6071'] });
    const legacy = legacyChecksumOf({ id: '001_x', functions: [up, undefined, undefined] });
    expect(m.checksum).toBe(checksumOf({ id: '001_x', functions: [up, undefined, undefined] }));
    expect(m.previousChecksums).toEqual(['0a1b2c3d4e5f6071', legacy]);
    expect(checksumMatches(m, legacy)).toBe(true);
    expect(checksumMatches(m, '0a1b2c3d4e5f6071')).toBe(true);
    expect(checksumMatches(m, 'ffffffffffffffff')).toBe(false);
    // Without previous checksums only its own matches.
    expect(checksumMatches({ checksum: 'c' }, 'c')).toBe(true);
    expect(checksumMatches({ checksum: 'c' }, 'd')).toBe(false);
    expect(Object.isFrozen(m.previousChecksums)).toBe(true);
    // Declared already: not listed twice. Pinned: 0.1 recorded the pinned value, nothing else to accept.
    expect(defineMigration({ id: '001_x', title: 'X', up, previousChecksums: [legacy] }).previousChecksums).toEqual([
      legacy,
    ]);
    expect(defineMigration({ id: '001_x', title: 'X', up, checksum: 'pinned' }).previousChecksums).toBeUndefined();
  });
});
