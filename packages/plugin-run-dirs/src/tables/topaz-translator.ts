// The Topaz -> WEPP numbering wepppy's WeppTopTranslator applies when a watershed table has no WEPP ids:
// hillslope Topaz ids sorted ascending get 1..H, channel Topaz ids sorted descending get H+1..H+C, and a
// channel's chn_enum is its WEPP id - H.
import { RunDirError } from '../errors.js';

export interface TopazTranslator {
  /** Number of hillslopes (H). */
  readonly hillslopes: number;
  wepp(topaz: number): number | undefined;
  chnEnum(topaz: number): number | undefined;
}

export function topazTranslator(hillslopeTopaz: readonly number[], channelTopaz: readonly number[]): TopazTranslator {
  const hills = [...new Set(hillslopeTopaz)].sort((a, b) => a - b);
  const chans = [...new Set(channelTopaz)].sort((a, b) => b - a);
  const both = hills.find((h) => chans.includes(h));
  if (both !== undefined)
    throw new RunDirError(`watershed: Topaz id ${both} is both a hillslope and a channel; WEPP ids cannot be numbered`);
  const ids = new Map<number, number>();
  hills.forEach((t, i) => ids.set(t, i + 1));
  chans.forEach((t, i) => ids.set(t, hills.length + i + 1));
  const H = hills.length;
  return {
    hillslopes: H,
    wepp: (topaz) => ids.get(topaz),
    chnEnum: (topaz) => {
      const w = ids.get(topaz);
      return w === undefined || w <= H ? undefined : w - H;
    },
  };
}
