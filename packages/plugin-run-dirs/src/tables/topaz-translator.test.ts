import { describe, expect, it } from 'vitest';
import { topazTranslator } from './topaz-translator.js';

describe('Topaz translator', () => {
  it('numbers hillslopes ascending, then channels descending, chn_enum = wepp - H', () => {
    const t = topazTranslator([33, 21, 22, 51], [44, 24, 34]);
    expect([21, 22, 33, 51].map((id) => t.wepp(id))).toEqual([1, 2, 3, 4]);
    expect([44, 34, 24].map((id) => t.wepp(id))).toEqual([5, 6, 7]);
    expect([44, 34, 24].map((id) => t.chnEnum(id))).toEqual([1, 2, 3]);
    expect(t.chnEnum(21)).toBeUndefined();
    expect(t.wepp(99)).toBeUndefined();
    expect(t.hillslopes).toBe(4);
  });
  it('refuses an id that is both a hillslope and a channel', () => {
    expect(() => topazTranslator([21, 24], [24])).toThrow(/Topaz id 24 is both a hillslope and a channel/);
  });
});
