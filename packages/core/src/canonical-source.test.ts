// The canonical text is a compatibility contract: ledgers hold checksums of it. The golden corpus
// (test/canonical-corpus/corpus.txt) freezes it for realistic compiler output of every flavour and for the edge
// cases of the tokenizer and of each rewrite; the tests below add what a text file cannot hold (control
// characters) and what must hold between cases (flavours agree, different code differs).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { normalizeSource, tokenize } from './canonical-source.js';

interface Case {
  name: string;
  input: string;
  expected: string;
}

function readCorpus(): Case[] {
  const text = readFileSync(new URL('./test/canonical-corpus/corpus.txt', import.meta.url), 'utf8');
  return text
    .split(/^=== /m)
    .slice(1)
    .map((chunk) => {
      const lines = chunk.replace(/\n$/, '').split('\n');
      const last = lines.at(-1)!;
      if (!last.startsWith('--> ')) throw new Error(`corpus case "${lines[0]}" has no --> line`);
      return { name: lines[0]!, input: lines.slice(1, -1).join('\n'), expected: last.slice(4) };
    });
}

const corpus = readCorpus();
const byName = (prefix: string): Case => {
  const found = corpus.filter((c) => c.name.startsWith(prefix));
  if (found.length !== 1) throw new Error(`${found.length} corpus cases start with "${prefix}"`);
  return found[0]!;
};

describe('the golden corpus', () => {
  test('holds the cases it was written with', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  test.each(corpus.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expect(normalizeSource(c.input)).toBe(c.expected);
  });

  test('one migration printed by each tool has one canonical text', () => {
    const flavours = [
      ['tsc ESM: a method', 'tsc CommonJS: the same method', 'jiti (babel', 'tsx (esbuild, minified', 'vitest (vite'],
      ['tsc: a validate function', 'tsx (esbuild keep-names)', 'jiti: the same validate'],
      ['tsc: an arrow with a destructured', 'esbuild: the same arrow'],
    ];
    for (const names of flavours) {
      const cases = names.map(byName);
      expect(new Set(cases.map((c) => c.input)).size).toBe(cases.length);
      expect(new Set(cases.map((c) => c.expected)).size, names[0]).toBe(1);
    }
  });

  test('the texts of different cases differ', () => {
    const flavoursOf = new Set(
      corpus.filter((c) => /^(tsc CommonJS|jiti|tsx|vitest|esbuild: the same)/.test(c.name)).map((c) => c.name),
    );
    const others = corpus.filter((c) => !flavoursOf.has(c.name));
    expect(new Set(others.map((c) => c.expected)).size).toBe(others.length);
  });
});

describe('text cut off anywhere', () => {
  test('every head and every tail of a corpus input has a canonical text (a definition never fails)', () => {
    let texts = 0;
    for (const { input } of corpus.filter((c) => c.input.length < 100)) {
      for (let cut = 0; cut <= input.length; cut += 1) {
        // A throw fails the test with the text in its stack; an expect per text would be slow under Stryker.
        texts += normalizeSource(input.slice(0, cut)) === undefined ? 0 : 1;
        texts += normalizeSource(input.slice(cut)) === undefined ? 0 : 1;
      }
    }
    expect(texts).toBeGreaterThan(2000);
  });

  test('what a cut-off text ends or starts with stays', () => {
    expect(normalizeSource('() => new')).toBe('( ) => new');
    expect(normalizeSource('() => new a.')).toBe('( ) => new $0 ( ) .');
    expect(normalizeSource('() => void')).toBe('( ) => void');
    expect(normalizeSource('() => _m.')).toBe('( ) => $0 .');
    expect(normalizeSource('() => class')).toBe('( ) => class');
    expect(normalizeSource(') x')).toBe(') $0');
    expect(normalizeSource(', a)')).toBe(', $0 )');
  });
});

describe('what a text file cannot hold', () => {
  test('line continuations in strings and templates are nothing, whatever the line terminator', () => {
    const joined = normalizeSource('() => "ab"');
    for (const eol of ['\n', '\r', '\r\n', '\u2028', '\u2029']) {
      expect(normalizeSource(`() => "a\\${eol}b"`), JSON.stringify(eol)).toBe(joined);
      expect(normalizeSource(`() => \`a\\${eol}b\``), JSON.stringify(eol)).toBe(joined);
    }
    // Only the terminator goes: the characters after it are read as they are, never as an escape.
    expect(normalizeSource('() => "a\\\ncafe"')).toBe('( ) => "acafe"');
    expect(normalizeSource('() => "a\\\r\nb\\\rc\\\n\\\r\nd"')).toBe('( ) => "abcd"');
  });

  test('raw line terminators and tabs in strings are kept as their value', () => {
    expect(normalizeSource('() => "a\u2028b"')).toBe(normalizeSource('() => "a\\u2028b"'));
    expect(normalizeSource('() => `a\nb`')).toBe(normalizeSource('() => "a\\nb"'));
    expect(normalizeSource('() => "a\tb"')).toBe('( ) => "a\\tb"');
  });

  test('every kind of whitespace separates tokens and is dropped', () => {
    expect(normalizeSource('(a)\u00a0=>\r\n\ta +\u20281\u2029*\v2\f')).toBe('$0 => $0 + 1 * 2');
  });
});

describe('tokenize', () => {
  test('kinds: a template without substitutions is a string, one with them a chain of template chunks', () => {
    expect(tokenize('x `a` `b${1}c` + /r/g 2 "s"')).toEqual([
      { kind: 'ident', text: 'x' },
      { kind: 'string', text: '"a"' },
      { kind: 'template', text: '`"b"${' },
      { kind: 'number', text: '1' },
      { kind: 'template', text: '}"c"`' },
      { kind: 'punct', text: '+' },
      { kind: 'regex', text: '/r/g' },
      { kind: 'number', text: '2' },
      { kind: 'string', text: '"s"' },
    ]);
  });

  test('the longest punctuator wins', () => {
    const texts = (s: string) => tokenize(s).map((t) => t.text);
    expect(texts('a>>>=b>>>c>>d>=e=>f...g')).toEqual('a >>>= b >>> c >> d >= e => f ... g'.split(' '));
    expect(texts('a**=b**c?.d??=e??f')).toEqual('a **= b ** c ?. d ??= e ?? f'.split(' '));
  });
});

describe('different code gives a different text', () => {
  const differ = (a: string, b: string) => expect(normalizeSource(a), `${a}\n  vs\n${b}`).not.toBe(normalizeSource(b));

  test('strings, numbers and regular expressions by value', () => {
    differ('() => "\\x41"', '() => "\\x42"');
    differ('() => "\\u{41}"', '() => "\\u{42}"');
    differ('() => 1_000', '() => 100');
    differ('() => 10n', '() => 10');
    differ('() => /a/g', '() => /a/i');
    differ('(a) => a / 2 / a', '(a) => a / 2 / b');
  });

  test('templates: where a substitution ends', () => {
    differ('(a, b) => `${a}${b}`', '(a, b) => `${a + b}`');
    differ('(a) => `${a}x`', '(a) => `${a}` + "x"');
    differ('(a) => `x${`${a}`}`', '(a) => `x${a}`');
  });

  test('class members and keep-names wrappers that are not bare', () => {
    differ('class A { a = 1 }', 'class A { }');
    differ('class A { #a; }', 'class A { }');
    differ('() => __name(f, "f")', '() => f');
    differ('() => { class A { static { __name(this, "A"); f(); } } }', '() => { class A { } }');
  });
});

// An expression tree printed twice: as a minifier prints it (the fewest parentheses, the least space) and as a
// cautious source has it (every operand in parentheses, spaced out, other quotes and number spellings).
type Expr =
  | { kind: 'leaf'; text: string; alt: string }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'unary'; op: string; operand: Expr }
  | { kind: 'member'; object: Expr; name: string }
  | { kind: 'call'; callee: string; args: Expr[] }
  | { kind: 'conditional'; test: Expr; then: Expr; else: Expr };

const PRECEDENCE: Record<string, number> = {
  '??': 1,
  '||': 2,
  '&&': 3,
  '|': 4,
  '^': 5,
  '&': 6,
  '===': 7,
  '!=': 7,
  '<': 8,
  '>=': 8,
  in: 8,
  instanceof: 8,
  '<<': 9,
  '>>>': 9,
  '+': 10,
  '-': 10,
  '*': 11,
  '/': 11,
  '%': 11,
  '**': 12,
};

const exprArb = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.constantFrom('a', 'b', 'row', 'undefined', 'this').map((t) => ({ kind: 'leaf' as const, text: t, alt: t })),
      fc
        .constantFrom(['1000', '1_000'], ['0.5', '.5'], ['255', '0xff'], ['"x y"', "'x y'"], ['"it\'s"', "'it\\'s'"])
        .map(([text, alt]) => ({ kind: 'leaf' as const, text: text!, alt: alt! })),
    ),
    fc.record({
      kind: fc.constant('binary' as const),
      op: fc.constantFrom(...Object.keys(PRECEDENCE)),
      left: tie('expr'),
      right: tie('expr'),
    }),
    fc.record({
      kind: fc.constant('unary' as const),
      op: fc.constantFrom('!', '-', '+', '~', 'typeof', 'void', 'await'),
      operand: tie('expr'),
    }),
    fc.record({ kind: fc.constant('member' as const), object: tie('expr'), name: fc.constantFrom('x', 'length') }),
    fc.record({
      kind: fc.constant('call' as const),
      callee: fc.constantFrom('f', 'g'),
      args: fc.array(tie('expr'), { maxLength: 2 }),
    }),
    fc.record({ kind: fc.constant('conditional' as const), test: tie('expr'), then: tie('expr'), else: tie('expr') }),
  ),
}));

const isNumber = (e: Expr): boolean => e.kind === 'leaf' && /^[\d.]/.test(e.text);

/** How tightly the printed expression binds: 0 conditional, a binary precedence, 13 unary, 20 primary. */
const bindsAt = (e: Expr): number =>
  e.kind === 'conditional' ? 0 : e.kind === 'binary' ? PRECEDENCE[e.op]! : e.kind === 'unary' ? 13 : 20;

/** Tokens of the minifier's print: an operand gets parentheses only where it binds looser than needed. */
function minimal(e: Expr, need: number): string[] {
  const wrap = (tokens: string[]) => (bindsAt(e) < need ? ['(', ...tokens, ')'] : tokens);
  switch (e.kind) {
    case 'leaf':
      return [e.text];
    case 'binary': {
      const p = PRECEDENCE[e.op]!;
      // `**` is right-associative and takes no unary left operand; a `**` right operand keeps its parentheses
      // (known: the canonical text keeps them, so a minifier and tsc differ on `a ** (b ** c)`).
      const right = e.op === '**' && !(e.right.kind === 'binary' && e.right.op === '**') ? p : p + 1;
      return wrap([...minimal(e.left, e.op === '**' ? 14 : p), e.op, ...minimal(e.right, right)]);
    }
    case 'unary':
      return wrap([e.op, ...minimal(e.operand, 13)]);
    case 'member':
      // `1000.x` would read as the number `1000.` then `x`.
      return [
        ...(e.object.kind === 'leaf' && isNumber(e.object) ? ['(', e.object.text, ')'] : minimal(e.object, 20)),
        '.',
        e.name,
      ];
    case 'call':
      return [e.callee, '(', ...e.args.flatMap((a, i) => [...(i > 0 ? [','] : []), ...minimal(a, 1)]), ')'];
    case 'conditional':
      return wrap([...minimal(e.test, 1), '?', ...minimal(e.then, 0), ':', ...minimal(e.else, 0)]);
  }
}

/** The cautious print: every operand that is not a leaf in parentheses, leaves in their other spelling. */
function cautious(e: Expr): string {
  const group = (o: Expr) => (o.kind === 'leaf' && !isNumber(o) ? o.alt : `(${cautious(o)})`);
  switch (e.kind) {
    case 'leaf':
      return e.alt;
    case 'binary':
      return `${group(e.left)}  ${e.op}\n  ${group(e.right)}`;
    case 'unary':
      return `${e.op} ${group(e.operand)}`;
    case 'member':
      return `${group(e.object)} .${e.name}`;
    case 'call':
      return `${e.callee}( ${e.args.map((a) => `${group(a)},`).join('\n ')} )`;
    case 'conditional':
      return `${group(e.test)} ? ${group(e.then)} : ${group(e.else)}`;
  }
}

/** Joins tokens the way a minifier does: a space only where two tokens would otherwise run together. */
const compact = (tokens: readonly string[]): string =>
  tokens.reduce((out, t) => {
    const a = out.at(-1) ?? '';
    const b = t[0] ?? '';
    const glue = (/[\w$]/.test(a) && /[\w$]/.test(b)) || (/[+-]/.test(a) && /[+-]/.test(b));
    return out + (glue ? ' ' : '') + t;
  }, '');

describe('layout, redundant parentheses, quotes and number spelling never change the text', () => {
  test('an expression printed by a minifier and with every operand parenthesised', () => {
    fc.assert(
      fc.property(exprArb.expr, (e) => {
        const tight = `async(a,b)=>{return ${compact(minimal(e, 0))}}`;
        const loose = `async (a, b) => {\n  return (${cautious(e)});\n}`;
        expect(normalizeSource(tight), `${tight}\n  vs\n${loose}`).toBe(normalizeSource(loose));
      }),
      { numRuns: 300 },
    );
  });
});
