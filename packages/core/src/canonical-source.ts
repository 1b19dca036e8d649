// The canonical text of a function's source, the input of a migration's checksum. One migration file reaches
// Function.prototype.toString() through different compilers: tsc (ESM or CommonJS), jiti (babel, CommonJS
// interop), tsx (esbuild: minified whitespace, keep-names wrappers) and vitest (vite's SSR transform). They
// differ in layout, quotes, redundant parentheses, import access (`(0, _m.f)(x)` for `f(x)`) and helpers, so
// the text is tokenized and each of those differences is mapped to one form. The canonical text is hashed,
// never run: it need not be valid JavaScript, only equal for the same code and different for different code.

type Kind = 'ident' | 'punct' | 'string' | 'number' | 'regex' | 'template';

interface Token {
  kind: Kind;
  text: string;
  /**
   * An identifier that a CommonJS interop head (`_m.`, `m_1.`, `exports.`) was stripped from: a binding, never a
   * keyword.
   */
  ref?: boolean;
}

const PUNCTUATORS = [
  '>>>=',
  '...',
  '===',
  '!==',
  '**=',
  '<<=',
  '>>=',
  '>>>',
  '&&=',
  '||=',
  '??=',
  '=>',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '?.',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '**',
  '<<',
  '>>',
];

const KEYWORDS = new Set(
  (
    'await break case catch class const continue debugger default delete do else export extends false finally for function if import in ' +
    'instanceof let new null of return static super switch this throw true try typeof var void while with yield async get set arguments'
  ).split(' '),
);

// Standard globals keep their names (a fixed list, so the text does not depend on the Node version).
const GLOBALS = new Set(
  (
    'undefined NaN Infinity globalThis Object Function Array Number String Boolean Symbol BigInt Math JSON Date RegExp Error TypeError ' +
    'RangeError SyntaxError AggregateError Promise Map Set WeakMap WeakSet WeakRef Proxy Reflect Intl ArrayBuffer DataView Uint8Array ' +
    'Int8Array Uint16Array Int16Array Uint32Array Int32Array Float32Array Float64Array BigInt64Array BigUint64Array parseInt parseFloat ' +
    'isNaN isFinite encodeURIComponent decodeURIComponent encodeURI decodeURI structuredClone queueMicrotask setTimeout clearTimeout ' +
    'setInterval clearInterval setImmediate console process Buffer URL URLSearchParams TextEncoder TextDecoder AbortController AbortSignal fetch'
  ).split(' '),
);

const IDENT_START = /[A-Za-z_$\u0080-\uffff#]/;
const IDENT_PART = /[\w$\u0080-\uffff]/;
const NUMBER =
  /^(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)n?/;

/** A token after which `/` divides; anywhere else it starts a regular expression. */
function endsOperand(t: Token | undefined): boolean {
  if (!t) return false;
  if (t.kind === 'ident')
    return (
      !KEYWORDS.has(t.text) ||
      t.text === 'this' ||
      t.text === 'super' ||
      t.text === 'true' ||
      t.text === 'false' ||
      t.text === 'null'
    );
  if (t.kind === 'punct') return t.text === ')' || t.text === ']' || t.text === '}';
  return t.kind !== 'template' || t.text.endsWith('`');
}

/** Reads the escape at `source[i]` (just after a backslash); returns the cooked text and the index after it. */
function readEscape(source: string, i: number): [string, number] {
  const c = source[i] ?? '';
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };
  if (c in simple) return [simple[c]!, i + 1];
  // Stryker disable next-line StringLiteral: any fallback without a digit reads the same
  if (c === '0' && !/\d/.test(source[i + 1] ?? '')) return ['\0', i + 1];
  // A malformed escape (never in a compiler's output) stays as written rather than failing the definition.
  const hex = (from: number, to: number): [string, number] | undefined => {
    const code = /^[\da-fA-F]+$/.test(source.slice(from, to)) ? parseInt(source.slice(from, to), 16) : NaN;
    return code <= 0x10ffff ? [String.fromCodePoint(code), to] : undefined;
  };
  const braced = c === 'u' && source[i + 1] === '{' ? source.indexOf('}', i) : -1;
  const coded =
    // Stryker disable next-line EqualityOperator: braced is -1 or an index after i, never 0
    c === 'x' ? hex(i + 1, i + 3) : braced > 0 ? hex(i + 2, braced) : c === 'u' ? hex(i + 1, i + 5) : undefined;
  // Stryker disable next-line EqualityOperator: braced is -1 or an index after i, never 0
  if (coded) return [coded[0], coded[1] + (braced > 0 ? 1 : 0)];
  if (c === '\r' && source[i + 1] === '\n') return ['', i + 2];
  if (c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') return ['', i + 1];
  return [c, i + 1];
}

/**
 * Reads a quoted string or a template chunk from `i` (just after its opening quote, backtick or `}`) up to its
 * closing quote, backtick or `${`; returns the cooked value, the closing text and the index after it.
 */
function readQuoted(source: string, i: number, quote: string): [string, string, number] {
  let value = '';
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      const [cooked, next] = readEscape(source, i + 1);
      value += cooked;
      i = next;
    } else if (c === quote) {
      return [value, quote, i + 1];
    } else if (quote === '`' && c === '$' && source[i + 1] === '{') {
      return [value, '${', i + 2];
    } else {
      value += c;
      i += 1;
    }
  }
  return [value, '', i];
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // One entry per open `{` or `${`: true where a `}` resumes a template.
  // Stryker disable next-line ArrayDeclaration: only a true entry resumes a template; a sentinel below is never one
  const braces: boolean[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const rest = source.slice(i, i + 4);
    if (/\s/.test(c)) {
      i += 1;
    } else if (rest.startsWith('//')) {
      const end = source.indexOf('\n', i);
      i = end === -1 ? source.length : end;
    } else if (rest.startsWith('/*')) {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? source.length : end + 2;
    } else if (c === '"' || c === "'") {
      const [value, , next] = readQuoted(source, i + 1, c);
      tokens.push({ kind: 'string', text: JSON.stringify(value) });
      i = next;
    } else if (c === '`' || (c === '}' && braces.at(-1) === true)) {
      if (c === '}') braces.pop();
      const [value, close, next] = readQuoted(source, i + 1, '`');
      if (close === '${') braces.push(true);
      // A template without substitutions is a string: compilers print either.
      const whole = c === '`' && close === '`';
      tokens.push(
        whole
          ? { kind: 'string', text: JSON.stringify(value) }
          : { kind: 'template', text: `${c === '`' ? '`' : '}'}${JSON.stringify(value)}${close}` },
      );
      i = next;
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(source[i + 1] ?? ''))) {
      const text = NUMBER.exec(source.slice(i))![0];
      const digits = text.replace(/_/g, '');
      tokens.push({
        kind: 'number',
        text: digits.endsWith('n') ? `${BigInt(digits.slice(0, -1))}n` : String(Number(digits)),
      });
      i += text.length;
    } else if (IDENT_START.test(c)) {
      let end = i + 1;
      // Stryker disable next-line EqualityOperator: one step past the end reads undefined, which stops it; slice clips
      while (end < source.length && IDENT_PART.test(source[end]!)) end += 1;
      tokens.push({ kind: 'ident', text: source.slice(i, end) });
      i = end;
    } else if (c === '/' && !endsOperand(tokens.at(-1))) {
      let end = i + 1;
      let inClass = false;
      // Stryker disable next-line EqualityOperator: one step past the end ends the loop all the same; slice clips
      while (end < source.length && (inClass || source[end] !== '/')) {
        if (source[end] === '\\') end += 1;
        else if (source[end] === '[') inClass = true;
        else if (source[end] === ']') inClass = false;
        end += 1;
      }
      end += 1;
      // Stryker disable next-line EqualityOperator: one step past the end reads undefined, which stops it; slice clips
      while (end < source.length && IDENT_PART.test(source[end]!)) end += 1;
      tokens.push({ kind: 'regex', text: source.slice(i, end) });
      i = end;
    } else {
      // Stryker disable next-line StringLiteral: any fallback without a digit reads the same
      const text = PUNCTUATORS.find((p) => rest.startsWith(p) && !(p === '?.' && /\d/.test(source[i + 2] ?? ''))) ?? c;
      if (text === '{') braces.push(false);
      if (text === '}') braces.pop();
      tokens.push({ kind: 'punct', text });
      i += text.length;
    }
  }
  return tokens;
}

// Stryker disable next-line ConditionalExpression: no other kind of token has a punctuator's text
const is = (t: Token | undefined, text: string): boolean => t !== undefined && t.kind === 'punct' && t.text === text;
const isWord = (t: Token | undefined, text: string): boolean =>
  // Stryker disable next-line ConditionalExpression: no other kind of token has a keyword's text
  t !== undefined && t.kind === 'ident' && t.text === text;
const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** For each bracket token the index of its partner (templates' own `${`/`}` are not punctuators), else -1. */
function pairsOf(tokens: readonly Token[]): number[] {
  const pairs = tokens.map(() => -1);
  // Stryker disable next-line ArrayDeclaration: a closer's partner is never read, only an opener's
  const stack: number[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'punct') return;
    if (t.text in OPEN) stack.push(i);
    else if (t.text === ')' || t.text === ']' || t.text === '}') {
      const open = stack.pop();
      // Stryker disable next-line ConditionalExpression: a closer's partner is never read, only an opener's
      if (open !== undefined) {
        pairs[open] = i;
        pairs[i] = open;
      }
    }
  });
  return pairs;
}

/**
 * esbuild's keep-names helper (tsx): `__name(fn, "up")` is `fn`; `__name(this, "X")` / `__name(f, "f")` statements go.
 */
function dropKeepNames(tokens: readonly Token[]): Token[] {
  const pairs = pairsOf(tokens);
  const drop = new Set<number>();
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i]!;
    // Stryker disable next-line ConditionalExpression: no other kind of token has a text that starts with __name
    if (t.kind !== 'ident' || !/^__name\d*$/.test(t.text) || !is(tokens[i + 1], '(') || is(tokens[i - 1], '.'))
      continue;
    const end = pairs[i + 1]!;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,OptionalChaining: end is -1 or past i + 1
    if (end < 0 || tokens[end - 1]?.kind !== 'string' || !is(tokens[end - 2], ',')) continue;
    const named = end - i - 4 === 1 && tokens[i + 2]!.kind === 'ident';
    for (const j of named ? range(i, end + 1) : [i, i + 1, end - 2, end - 1, end]) drop.add(j);
    if (named && is(tokens[end + 1], ';')) drop.add(end + 1);
    // What is left of `static { __name(this, "X"); }`.
    if (
      named &&
      is(tokens[i - 1], '{') &&
      isWord(tokens[i - 2], 'static') &&
      pairs[i - 1] === end + (is(tokens[end + 1], ';') ? 2 : 1)
    ) {
      for (const j of [i - 2, i - 1, pairs[i - 1]!]) drop.add(j);
    }
  }
  return tokens.filter((_, i) => !drop.has(i));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

/**
 * A name that holds a module under CommonJS interop: tsc's `helper_js_1`, babel's `_helper`, vite's
 * `__vite_ssr_import_0__`, tsc's `exports`.
 */
const isModuleHead = (t: Token): boolean =>
  // Stryker disable next-line ConditionalExpression: no other kind of token has a text that starts with _ or ends in _1
  t.kind === 'ident' && (t.text === 'exports' || t.text.startsWith('_') || /_\d+$/.test(t.text));

/** `(0, _m.f)` and `_m.f` are `f`; `void 0` is `undefined`; `new X` is `new X()`. */
function unwrapInterop(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i]!;
    const prev = out.at(-1);
    if (
      isModuleHead(t) &&
      is(tokens[i + 1], '.') &&
      tokens[i + 2]?.kind === 'ident' &&
      !is(prev, '.') &&
      !is(prev, '?.')
    ) {
      out.push({ kind: 'ident', text: tokens[i + 2]!.text, ref: true });
      i += 2;
    } else if (isWord(t, 'void') && tokens[i + 1]?.kind === 'number' && tokens[i + 1]!.text === '0') {
      // Stryker disable next-line StringLiteral: an `undefined` token reads as a name whatever its kind
      out.push({ kind: 'ident', text: 'undefined' });
      i += 1;
    } else {
      out.push(t);
    }
    // `(0, f)`: the sequence only dropped `this` from the call.
    const n = out.length;
    if (
      is(out[n - 1], ')') &&
      out[n - 2]?.kind === 'ident' &&
      is(out[n - 3], ',') &&
      out[n - 4]?.text === '0' &&
      is(out[n - 5], '(')
    ) {
      out.splice(n - 5, 5, out[n - 2]!);
    }
  }
  const withArgs: Token[] = [];
  for (let i = 0; i < out.length; i += 1) {
    withArgs.push(out[i]!);
    if (!isWord(out[i], 'new') || out[i + 1]?.kind !== 'ident') continue;
    let j = i + 1;
    while (is(out[j + 1], '.') && out[j + 2]?.kind === 'ident') j += 2;
    withArgs.push(...out.slice(i + 1, j + 1));
    if (!is(out[j + 1], '(')) withArgs.push({ kind: 'punct', text: '(' }, { kind: 'punct', text: ')' });
    i = j;
  }
  return withArgs;
}

/**
 * A class field declared without a value (`message;`) goes: tsc and esbuild declare one for a TypeScript
 * parameter property (in different places), babel declares none.
 */
function dropBareFields(tokens: readonly Token[]): Token[] {
  const pairs = pairsOf(tokens);
  const drop = new Set<number>();
  // Stryker disable next-line EqualityOperator: the token past the end is no class
  for (let i = 0; i < tokens.length; i += 1) {
    if (!isWord(tokens[i], 'class') || is(tokens[i - 1], '.')) continue;
    let open = i + 1;
    // Stryker disable next-line EqualityOperator: the token past the end is no brace
    while (open < tokens.length && !is(tokens[open], '{')) open += 1;
    // Stryker disable next-line UnaryOperator: with no body no member is scanned, from -1 or from 1
    const end = pairs[open] ?? -1;
    let memberStart = true;
    // Stryker disable next-line EqualityOperator: the body's closing brace drops nothing
    for (let j = open + 1; j < end; j += 1) {
      const t = tokens[j]!;
      if (memberStart && t.kind === 'ident' && !t.text.startsWith('#') && is(tokens[j + 1], ';')) {
        drop.add(j).add(j + 1);
        j += 1;
        continue;
      }
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: only an opener pairs ahead
      if (t.kind === 'punct' && t.text in OPEN && pairs[j]! > j) {
        j = pairs[j]!;
        memberStart = is(tokens[j], '}');
        continue;
      }
      memberStart = is(t, ';');
    }
  }
  return tokens.filter((_, i) => !drop.has(i));
}

// Binary operators by precedence; a parenthesised operand whose operators all bind tighter needs no parentheses.
const BINARY: Record<string, number> = {
  '??': 1,
  '||': 2,
  '&&': 3,
  '|': 4,
  '^': 5,
  '&': 6,
  '==': 7,
  '!=': 7,
  '===': 7,
  '!==': 7,
  '<': 8,
  '>': 8,
  '<=': 8,
  '>=': 8,
  instanceof: 8,
  in: 8,
  '<<': 9,
  '>>': 9,
  '>>>': 9,
  '+': 10,
  '-': 10,
  '*': 11,
  '/': 11,
  '%': 11,
  '**': 12,
};
const UNARY = 13;
const PRIMARY = 20;
const LOOSE = new Set([
  '=>',
  '?',
  '...',
  '=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '**=',
  '<<=',
  '>>=',
  '>>>=',
  '&=',
  '|=',
  '^=',
  '&&=',
  '||=',
  '??=',
]);
const UNARY_WORDS = new Set(['typeof', 'void', 'delete', 'await', 'new']);

function binaryPrecedence(tokens: readonly Token[], i: number): number | undefined {
  const t = tokens[i]!;
  // Stryker disable next-line ConditionalExpression: strings, numbers and templates never spell an operator
  if (t.kind === 'ident' ? !(t.text === 'in' || t.text === 'instanceof') : t.kind !== 'punct') return undefined;
  const p = BINARY[t.text];
  // Stryker disable next-line ConditionalExpression: without a precedence the answer is undefined all the same
  if (p === undefined) return undefined;
  return (t.text === '+' || t.text === '-') && !endsOperand(tokens[i - 1]) ? undefined : p;
}

/**
 * How loosely the expression tokens[from..to) binds: -1 a sequence, 0 assignment/arrow/conditional, a binary
 * precedence, UNARY or PRIMARY.
 */
function looseness(tokens: readonly Token[], pairs: readonly number[], from: number, to: number): number {
  let lowest = PRIMARY;
  // Stryker disable next-line EqualityOperator: tokens[to] is the group's `)`, which changes nothing
  for (let i = from; i < to; i += 1) {
    const t = tokens[i]!;
    if (t.kind === 'punct' && t.text in OPEN) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator,UnaryOperator: a group pairs all its openers
      if (pairs[i]! < i) return -1;
      i = pairs[i]!;
      continue;
    }
    if (t.kind === 'template' && t.text.endsWith('${')) {
      let depth = 1;
      while (depth > 0 && ++i < to) {
        const u = tokens[i]!;
        if (u.kind === 'template') depth += (u.text.endsWith('${') ? 1 : 0) - (u.text.startsWith('}') ? 1 : 0);
      }
      continue;
    }
    if (is(t, ',')) return -1;
    // Stryker disable next-line ConditionalExpression: no other kind of token has an operator's text
    if (t.kind === 'punct' && LOOSE.has(t.text)) lowest = Math.min(lowest, 0);
    else if (isWord(t, 'yield') || isWord(t, 'async') || isWord(t, 'function') || isWord(t, 'class'))
      lowest = Math.min(lowest, 0);
    else {
      const p = binaryPrecedence(tokens, i);
      if (p !== undefined) lowest = Math.min(lowest, p);
      else if (
        // Stryker disable next-line ConditionalExpression: no other kind of token has an operator's text
        (t.kind === 'punct' && ['!', '~', '+', '-', '++', '--'].includes(t.text)) ||
        // Stryker disable next-line ConditionalExpression: no other kind of token has a keyword's text
        (t.kind === 'ident' && UNARY_WORDS.has(t.text))
      ) {
        lowest = Math.min(lowest, UNARY);
      }
    }
  }
  return lowest;
}

/**
 * A prefix operator (`!(await x)` is `!await x`, not `!await` of something). Call it where `+`/`-` cannot be binary.
 */
const isPrefix = (t: Token): boolean =>
  t.kind === 'ident'
    ? UNARY_WORDS.has(t.text)
    : // Stryker disable next-line ConditionalExpression: no other kind of token has an operator's text
      t.kind === 'punct' && ['!', '~', '+', '-', '++', '--'].includes(t.text);

// Tokens before `(` that make it part of the syntax (a call, a condition, parameters), never a grouping.
const SYNTAX_BEFORE_PAREN = new Set([
  'if',
  'while',
  'for',
  'switch',
  'catch',
  'with',
  'function',
  'new',
  'import',
  'super',
]);

/** Whether the group tokens[open..close] can lose its parentheses without changing what the expression means. */
function redundantGroup(tokens: readonly Token[], pairs: readonly number[], open: number, close: number): boolean {
  const before = tokens[open - 1];
  const after = tokens[close + 1];
  const first = tokens[open + 1];
  if (!first || close === open + 1) return false;
  if (
    is(first, '{') ||
    isWord(first, 'function') ||
    isWord(first, 'class') ||
    (isWord(first, 'async') && isWord(tokens[open + 2], 'function'))
  )
    return false;
  if (before) {
    if (
      before.kind === 'ident' &&
      (SYNTAX_BEFORE_PAREN.has(before.text) ||
        !KEYWORDS.has(before.text) ||
        before.text === 'this' ||
        before.text === 'async')
    )
      return false;
    if (before.kind !== 'ident' && before.kind !== 'punct') return false;
    if (is(before, ')') || is(before, ']') || is(before, '}') || is(before, '?.')) return false;
  }
  if (is(after, '=>')) return false;
  const inner = looseness(tokens, pairs, open + 1, close);
  // Stryker disable next-line ConditionalExpression: need is never below 0, so a sequence fails the last test too
  if (inner < 0) return false;
  // What the neighbours need the operand to bind at least as tightly as.
  let need = 0;
  if (before) {
    const p = binaryPrecedence(tokens, open - 1);
    if (p !== undefined) need = Math.max(need, p + 1);
    else if (isPrefix(before)) need = isPrefix(first) && !isWord(first, 'new') ? UNARY : PRIMARY;
  }
  if (after) {
    // Stryker disable next-line ConditionalExpression: strings, numbers and templates never spell an operator
    const q = after.kind === 'ident' || after.kind === 'punct' ? BINARY[after.text] : undefined;
    if (after.kind === 'template' || (after.kind === 'punct' && ['.', '?.', '[', '(', '++', '--'].includes(after.text)))
      need = PRIMARY;
    else if (after.kind === 'punct' && LOOSE.has(after.text)) need = Math.max(need, after.text === '?' ? 1 : PRIMARY);
    else if (q !== undefined) need = Math.max(need, after.text === '**' ? q + 1 : q);
    else if (!(after.kind === 'punct' && [')', ']', '}', ',', ';', ':'].includes(after.text))) return false;
  }
  return inner >= need;
}

/**
 * Drops parentheses around a lone arrow parameter and those that group nothing the operators would not. A
 * round drops no group inside another it drops (the inner one is judged again with its new neighbours).
 */
function dropRedundantParens(tokens: Token[]): Token[] {
  for (;;) {
    const pairs = pairsOf(tokens);
    const drop = new Set<number>();
    // Stryker disable next-line EqualityOperator: the token past the end is no parenthesis
    for (let open = 0; open < tokens.length; open += 1) {
      const close = pairs[open]!;
      // Stryker disable next-line EqualityOperator: no token is its own partner
      if (!is(tokens[open], '(') || close < open) continue;
      // Stryker disable next-line ConditionalExpression: a lone parameter token is a name (a pattern is more)
      const loneParam = close === open + 2 && tokens[open + 1]!.kind === 'ident' && is(tokens[close + 1], '=>');
      if (loneParam || redundantGroup(tokens, pairs, open, close)) {
        drop.add(open).add(close);
        open = close;
      }
    }
    if (drop.size === 0) return tokens;
    tokens = tokens.filter((_, i) => !drop.has(i));
  }
}

/** The innermost open bracket at each token: '{', '(' or '[' ('' at the top). */
function enclosing(tokens: readonly Token[]): string[] {
  // Stryker disable next-line ArrayDeclaration: the top level is compared with '{' only; a sentinel is not '{' either
  const stack: string[] = [];
  return tokens.map((t) => {
    if (t.kind === 'template' && t.text.startsWith('}')) stack.pop();
    if (t.kind === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}')) stack.pop();
    // Stryker disable next-line StringLiteral: the top level is compared with '{' only
    const inside = stack.at(-1) ?? '';
    if (t.kind === 'punct' && t.text in OPEN) stack.push(t.text);
    if (t.kind === 'template' && t.text.endsWith('${')) stack.push('${');
    return inside;
  });
}

/**
 * Shorthand properties are spelled out (`{ fmt }` is `{ fmt: _m.fmt }` under CommonJS), trailing commas go, and
 * names bound in or around the function are numbered in order of appearance: a default import is `Tally` in
 * ESM and `_tally.default` under CommonJS, an aliased import `wait` is `_m.pause`. Property names, keys,
 * method names, keywords and standard globals keep their names.
 */
function canonicalNames(tokens: readonly Token[]): string[] {
  const inside = enclosing(tokens);
  const spelled: Token[] = [];
  const spelledInside: string[] = [];
  tokens.forEach((t, i) => {
    if (is(t, ',') && (is(tokens[i + 1], ')') || is(tokens[i + 1], ']') || is(tokens[i + 1], '}'))) return;
    spelled.push(t);
    spelledInside.push(inside[i]!);
    const shorthand =
      t.kind === 'ident' &&
      inside[i] === '{' &&
      (is(tokens[i - 1], '{') || is(tokens[i - 1], ',')) &&
      (is(tokens[i + 1], ',') || is(tokens[i + 1], '}'));
    if (shorthand && (t.ref || !KEYWORDS.has(t.text))) {
      spelled.splice(-1, 1, { kind: 'ident', text: t.text }, { kind: 'punct', text: ':' }, t);
      // Stryker disable next-line StringLiteral: read only for the value, which is no key either way
      spelledInside.push('{', '{');
    }
  });
  const pairs = pairsOf(spelled);
  const numbers = new Map<string, string>();
  return spelled.map((t, i) => {
    if (t.kind !== 'ident') return t.text;
    if (!t.ref && (KEYWORDS.has(t.text) || GLOBALS.has(t.text) || t.text.startsWith('#'))) return t.text;
    const prev = spelled[i - 1];
    if (is(prev, '.') || is(prev, '?.')) return t.text;
    const modifier =
      isWord(prev, 'async') || isWord(prev, 'static') || isWord(prev, 'get') || isWord(prev, 'set') || is(prev, '*');
    // A key in an object or class body, or the name of the method whose text this is (`async up(ctx) {`).
    const key =
      spelledInside[i] === '{'
        ? modifier || is(prev, '{') || is(prev, ',') || is(prev, '}')
        : spelled
            .slice(0, i)
            .every(
              (p) => isWord(p, 'async') || is(p, '*') || isWord(p, 'get') || isWord(p, 'set') || isWord(p, 'static'),
            );
    const method = is(spelled[i + 1], '(') && is(spelled[pairs[i + 1]! + 1], '{');
    if (key && !t.ref && (is(spelled[i + 1], ':') || method)) return t.text;
    if (!numbers.has(t.text)) numbers.set(t.text, `$${numbers.size}`);
    return numbers.get(t.text)!;
  });
}

/** The canonical text of a function's source: equal for one definition whichever tool compiled it. */
export function normalizeSource(source: string): string {
  const tokens = dropRedundantParens(dropBareFields(unwrapInterop(dropKeepNames(tokenize(source)))));
  return canonicalNames(tokens.filter((t) => !is(t, ';'))).join(' ');
}
