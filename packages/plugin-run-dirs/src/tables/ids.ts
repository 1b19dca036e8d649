// One rule for every legacy id cell (TopazID 22.0, "22", " 22 ", "22.0"): an Int32 or a reason it is not one.
export type IdResult = { ok: true; value: number } | { ok: false; reason: string };

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

export function parseId(raw: unknown): IdResult {
  if (raw === null || raw === undefined) return { ok: false, reason: 'missing (null)' };
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'bigint') n = Number(raw);
  else if (typeof raw === 'string') {
    const s = raw.trim();
    if (s === '') return { ok: false, reason: 'empty string' };
    if (!/^[+-]?\d+(\.0*)?$/.test(s) && !/^[+-]?\d+(\.\d+)?[eE][+-]?\d+$/.test(s))
      return { ok: false, reason: `not a number: ${JSON.stringify(raw)}` };
    n = Number(s);
  } else return { ok: false, reason: `not a number: ${typeof raw}` };
  if (Number.isNaN(n)) return { ok: false, reason: 'NaN' };
  if (!Number.isFinite(n)) return { ok: false, reason: 'infinite' };
  if (!Number.isInteger(n)) return { ok: false, reason: `not an integer: ${n}` };
  if (n > INT32_MAX || n < INT32_MIN) return { ok: false, reason: `outside Int32: ${n}` };
  return { ok: true, value: n === 0 ? 0 : n };
}

/** Topaz numbering: ids ending in 4 are channels; 1, 2, 3 are hillslopes. */
export function topazKind(id: number): 'channel' | 'hillslope' | 'other' {
  const last = Math.abs(id) % 10;
  if (last === 4) return 'channel';
  if (last >= 1 && last <= 3) return 'hillslope';
  return 'other';
}
