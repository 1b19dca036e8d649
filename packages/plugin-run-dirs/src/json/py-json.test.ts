import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { PyObj } from './py-json.js';
import { detectStyle, parsePyJson, PyNum, stringifyPyJson, toPlain } from './py-json.js';

describe('Python-style JSON', () => {
  it('round-trips jsonpickle text byte for byte, NaN and number lexemes included', () => {
    const compact =
      '{"py/object": "wepppy.nodb.core.watershed.Watershed", "py/state": {"wd": "/geodata/wc1/runs/ab/abc", "area": 1.0, "slope": NaN, "x": -Infinity, "ids": [1, 2.50, 1e-05], "name": "caf\\u00e9", "e": {}, "l": []}}';
    expect(stringifyPyJson(parsePyJson(compact), detectStyle(compact))).toBe(compact);
    const indented = '{\n  "py/object": "x",\n  "a": [\n    1,\n    NaN\n  ],\n  "b": {}\n}\n';
    expect(stringifyPyJson(parsePyJson(indented), detectStyle(indented))).toBe(indented);
  });

  it('keeps key order, also for integer-like keys', () => {
    const v = parsePyJson('{"22": 1, "11": 2, "b": 3}') as PyObj;
    expect(v.entries.map(([k]) => k)).toEqual(['22', '11', 'b']);
  });

  it('reads what JSON.parse reads, the same way', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        expect(toPlain(parsePyJson(text))).toEqual(JSON.parse(text));
        expect(JSON.parse(stringifyPyJson(parsePyJson(text)))).toEqual(JSON.parse(text));
      }),
    );
  });

  it('names line and column of a syntax error', () => {
    expect(() => parsePyJson('{\n  "a": 1,\n  "b": }')).toThrow(/line 3 column/);
    expect(() => parsePyJson('{"a": 1} x')).toThrow(/after the value/);
    expect(() => parsePyJson('')).toThrow(/end of input/);
  });

  it('writes new numbers and NaN as Python does', () => {
    expect(stringifyPyJson([PyNum.of(3), PyNum.of(Number.NaN), PyNum.of(-Infinity)])).toBe('[3, NaN, -Infinity]');
  });
});
