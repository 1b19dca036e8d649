// Field splitting is where a malformed logger line must become a rejected row with a reason instead of
// shifted columns: RFC 4180 quoting within one line, every kind of broken quoting refused.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readLines, splitFields } from './csv-lines.js';

describe('splitFields', () => {
  it.each([
    ['', ['']],
    ['a', ['a']],
    ['a,b,,c,', ['a', 'b', '', 'c', '']],
    [',', ['', '']],
    ['"a,b",c', ['a,b', 'c']],
    ['x,"a,b"', ['x', 'a,b']],
    ['"a""b"', ['a"b']],
    ['"""a"""', ['"a"']],
    ['"a""""b",c', ['a""b', 'c']],
    ['"",""', ['', '']],
    ['"a",', ['a', '']],
    ['"a",,"b"', ['a', '', 'b']],
    ['1,"two",3', ['1', 'two', '3']],
    ['"x",y,"z"', ['x', 'y', 'z']],
    [' "a" ', { error: 'broken quoting: quote inside an unquoted field' }],
    ['"a', { error: 'broken quoting: unterminated quoted field' }],
    ['"a""', { error: 'broken quoting: unterminated quoted field' }],
    ['x,"a', { error: 'broken quoting: unterminated quoted field' }],
    ['"a"x,b', { error: 'broken quoting: text after a closing quote' }],
    ['"a" ,b', { error: 'broken quoting: text after a closing quote' }],
    ['"a""x"y', { error: 'broken quoting: text after a closing quote' }],
    ['a"b,c', { error: 'broken quoting: quote inside an unquoted field' }],
    ['a,b"', { error: 'broken quoting: quote inside an unquoted field' }],
    ['"a",b"c', { error: 'broken quoting: quote inside an unquoted field' }],
  ])('%j', (line, expected) => {
    expect(splitFields(line)).toEqual(expected);
  });
});

describe('readLines', () => {
  it('hands every line of a closed file to the sink and sums it up (hash, bytes, lines)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-lines-'));
    try {
      const path = join(dir, 'f.csv');
      const content = 'h1,h2\r\n1,2\nlast,cut';
      await writeFile(path, content);
      const got: [string, number, boolean][] = [];
      const it = readLines(path, { line: (t, n, term) => got.push([t, n, term]) });
      let step = await it.next();
      while (!step.done) step = await it.next();
      expect(got).toEqual([
        ['h1,h2', 1, true],
        ['1,2', 2, true],
        ['last,cut', 3, false],
      ]);
      expect(step.value).toEqual({
        sha256: createHash('sha256').update(content).digest('hex'),
        bytes: content.length,
        lines: 3,
      });

      const head: string[] = [];
      const part = readLines(path, { line: (t) => head.push(t) }, { name: 'f.csv', end: 7 });
      let s = await part.next();
      while (!s.done) s = await part.next();
      expect(head).toEqual(['h1,h2']);
      expect(s.value).toEqual({ sha256: createHash('sha256').update('h1,h2\r\n').digest('hex'), bytes: 7, lines: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the file as asked (or by its path) when a line cannot be decoded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-lines-'));
    try {
      const path = join(dir, 'bad.csv');
      await writeFile(path, Buffer.from([0x61, 0x0a, 0x62, 0xff, 0x0a]));
      const drain = async (options?: { name?: string }) => {
        const it = readLines(path, { line: () => undefined }, options);
        for (let s = await it.next(); !s.done; s = await it.next());
      };
      await expect(drain({ name: 'logger-7.csv' })).rejects.toThrow(
        'file "logger-7.csv": cannot decode byte 3 (line 2): not valid UTF-8',
      );
      await expect(drain()).rejects.toThrow(`file "${path}": cannot decode byte 3 (line 2)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
