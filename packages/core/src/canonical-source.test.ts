// The canonical text is a compatibility contract: ledgers hold checksums of it. The golden corpus
// (test/canonical-corpus/corpus.txt) freezes it for realistic compiler output of every flavour and for the edge
// cases of the tokenizer and of each rewrite; the tests below add what a text file cannot hold (control
// characters) and what must hold between cases (flavours agree, different code differs).
import { readFileSync } from 'node:fs';
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
