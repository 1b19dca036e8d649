// Cell parsing. Numbers: a strict decimal pattern, then JS Number; anything else (units, "NaN", "--", "0x1f",
// out-of-range) is NULL as the seed asks, and counted. Timestamps: ISO-8601 (space or T, optional fraction
// and zone) or Unix epoch seconds/milliseconds; a naive timestamp is read in the run's configured time zone.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// Short plain decimals (no exponent) cannot overflow a double: passed through as written, no allocation.
const PLAIN = /^[+-]?\d{1,15}(?:\.\d{0,15})?$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^\d{9,13}(?:\.\d+)?$/;

/** COPY text for a number cell, or null (NULL). */
export function numberCell(raw: string): string | null {
  if (PLAIN.test(raw)) return raw;
  const s = raw.trim();
  // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut; DECIMAL refuses the empty string too
  if (s === '' || !DECIMAL.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? String(n) : null;
}

/** COPY text for a timestamp cell, or null when it cannot be parsed. */
export function timestampCell(raw: string): string | null {
  const s = raw.trim();
  const m = ISO.exec(s);
  if (m) {
    const [, y, mo, d, h = '00', mi = '00', sec = '00', frac, zone] = m;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
    if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
    if (year < 1) return null;
    return `${y}-${mo}-${d} ${h}:${mi}:${sec}${frac ? `.${frac.slice(0, 6)}` : ''}${zone ? normalizeZone(zone) : ''}`;
  }
  if (EPOCH.test(s)) {
    const n = Number(s);
    const ms = s.split('.')[0]!.length >= 12 ? n : n * 1000;
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? null : date.toISOString().replace('T', ' ');
  }
  return null;
}

function normalizeZone(zone: string): string {
  if (zone === 'Z' || zone === 'z') return '+00:00';
  if (zone.length === 3) return `${zone}:00`;
  return zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Escapes free text for COPY text format (rejected rows' raw text, reasons). */
export function copyText(value: string): string {
  return value
    .replace(/\0/g, '\uFFFD')
    .replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
