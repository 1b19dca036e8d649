// JSON as Python writes it: jsonpickle `.nodb` files and WhiteboxTools GeoJSON may hold bare NaN / Infinity,
// key order matters to people diffing a run, and numbers keep their exact text (1.0 stays 1.0). So values are
// parsed into an ordered tree that keeps each number's lexeme, and written back in Python's json.dumps style.

export class PyNum {
  constructor(readonly raw: string) {}
  get value(): number {
    if (this.raw === 'NaN') return Number.NaN;
    if (this.raw === 'Infinity') return Number.POSITIVE_INFINITY;
    if (this.raw === '-Infinity') return Number.NEGATIVE_INFINITY;
    return Number(this.raw);
  }
  static of(n: number): PyNum {
    if (Number.isNaN(n)) return new PyNum('NaN');
    if (!Number.isFinite(n)) return new PyNum(n > 0 ? 'Infinity' : '-Infinity');
    return new PyNum(String(n));
  }
}

export class PyObj {
  constructor(public entries: [string, PyValue][] = []) {}
  get(key: string): PyValue | undefined {
    for (const [k, v] of this.entries) if (k === key) return v;
    return undefined;
  }
  has(key: string): boolean {
    return this.entries.some(([k]) => k === key);
  }
  set(key: string, value: PyValue): void {
    const entry = this.entries.find(([k]) => k === key);
    if (entry) entry[1] = value;
    else this.entries.push([key, value]);
  }
  delete(key: string): void {
    this.entries = this.entries.filter(([k]) => k !== key);
  }
}

export type PyValue = null | boolean | string | PyNum | PyValue[] | PyObj;

export class PyJsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at line ${line} column ${column}`);
  }
}

export function parsePyJson(text: string): PyValue {
  let i = 0;
  const fail = (message: string): never => {
    const before = text.slice(0, i);
    const line = before.split('\n').length;
    throw new PyJsonSyntaxError(message, line, i - before.lastIndexOf('\n'));
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const word = (w: string) => {
    if (text.startsWith(w, i)) {
      i += w.length;
      return true;
    }
    return false;
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            i -= 1;
            fail('bad escape');
        }
        continue;
      }
      if (c < ' ') fail('control character in string');
      out += c;
      i++;
    }
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = new PyObj();
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        obj.entries.push([k, value()]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const arr: PyValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    if (word('null')) return null;
    if (word('true')) return true;
    if (word('false')) return false;
    if (word('NaN')) return new PyNum('NaN');
    if (word('Infinity')) return new PyNum('Infinity');
    if (word('-Infinity')) return new PyNum('-Infinity');
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (!m) fail(i >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`);
    i += m![0].length;
    return new PyNum(m![0]);
  };
  const result = value();
  ws();
  if (i < text.length) fail('unexpected text after the value');
  return result;
}

function quote(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    const ch = s[k]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export interface PyJsonStyle {
  /** null: one line with Python's default ", " and ": " separators; a number: that indent, "," and ": ". */
  indent: number | null;
  trailingNewline: boolean;
}

/** The style of an existing file, so a rewrite changes only what it must. */
export function detectStyle(text: string): PyJsonStyle {
  const m = /\n( +)\S/.exec(text.trimEnd());
  return { indent: m ? m[1]!.length : null, trailingNewline: text.endsWith('\n') };
}

export function stringifyPyJson(value: PyValue, style: PyJsonStyle = { indent: null, trailingNewline: false }): string {
  const write = (v: PyValue, depth: number): string => {
    if (v === null) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'string') return quote(v);
    if (v instanceof PyNum) return v.raw;
    const items = Array.isArray(v)
      ? v.map((x) => write(x, depth + 1))
      : v.entries.map(([k, x]) => `${quote(k)}: ${write(x, depth + 1)}`);
    const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
    if (items.length === 0) return `${open}${close}`;
    if (style.indent === null) return `${open}${items.join(', ')}${close}`;
    const pad = ' '.repeat(style.indent * (depth + 1));
    return `${open}\n${items.map((x) => pad + x).join(',\n')}\n${' '.repeat(style.indent * depth)}${close}`;
  };
  return write(value, 0) + (style.trailingNewline ? '\n' : '');
}

/** Plain data (for reports and tests): NaN stays NaN, objects become plain objects. */
export function toPlain(value: PyValue): unknown {
  if (value instanceof PyNum) return value.value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof PyObj) return Object.fromEntries(value.entries.map(([k, v]) => [k, toPlain(v)]));
  return value;
}

/** Visits every string in the tree, replacing it with what `fn` returns. Returns how many changed. */
export function mapStrings(value: PyValue, fn: (s: string) => string): { value: PyValue; changed: number } {
  let changed = 0;
  const walk = (v: PyValue): PyValue => {
    if (typeof v === 'string') {
      const next = fn(v);
      if (next !== v) changed++;
      return next;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof PyObj) return new PyObj(v.entries.map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const result = walk(value);
  return { value: result, changed };
}
