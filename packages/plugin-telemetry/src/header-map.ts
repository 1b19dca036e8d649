// Tolerant header mapping across logger versions: names are compared after lower-casing and dropping
// everything but letters and digits, so "T1_Feed", "t1 feed" and "T1-FEED" are one column. Order does not
// matter; missing value columns become NULL; unknown columns are reported (they stay in the CSV and backup).
import { SAMPLE_COLUMNS, type SampleColumn } from './schema.js';

export type MappedColumn = 'recorded_at' | SampleColumn;

/** Accepted spellings (normalized) for each column. Documented in the README; extend via options. */
export const HEADER_ALIASES: Record<MappedColumn, readonly string[]> = {
  recorded_at: ['timestamp', 'time', 'datetime', 'ts', 'recordedat', 'date'],
  t1_feed: ['t1feed', 't1', 'tfeed', 'feedtemp', 't1feedc'],
  t2_mid: ['t2mid', 't2', 'tmid', 'midtemp', 't2midc'],
  t3_nozzle: ['t3nozzle', 't3', 'tnozzle', 'nozzletemp', 't3nozzlec'],
  t_motor: ['tmotor', 'motortemp', 'tmotorc'],
  target_z1: ['targetz1', 'targz1', 'setpointz1', 'z1target', 'tz1target', 'targettempz1'],
  target_z2: ['targetz2', 'targz2', 'setpointz2', 'z2target', 'tz2target', 'targettempz2'],
  pwr_z1_pct: ['pwrz1pct', 'pwrz1', 'powerz1', 'powerz1pct', 'z1power', 'z1pwr'],
  pwr_z2_pct: ['pwrz2pct', 'pwrz2', 'powerz2', 'powerz2pct', 'z2power', 'z2pwr'],
  rpm_main: ['rpmmain', 'rpm', 'mainrpm', 'screwrpm'],
  rpm_feed: ['rpmfeed', 'feedrpm', 'feederrpm'],
};

export interface HeaderMapping {
  /** For each CSV field index, the column it fills, or null when unknown/duplicate. */
  byIndex: (MappedColumn | null)[];
  /** Column -> CSV header text, for reports. */
  mapped: Partial<Record<MappedColumn, string>>;
  /** Value columns no header named: they are NULL for this file. */
  missing: SampleColumn[];
  /** Headers that matched nothing (or a column already taken). */
  unmapped: string[];
  /** Index of the timestamp field, or -1 (then every row is rejected). */
  timestampIndex: number;
  fieldCount: number;
}

export function normalizeHeader(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

type Aliases = Partial<Record<MappedColumn, readonly string[]>>;

// The alias table per `extra` object: follow() maps a header for every grown file in every round, and
// normalizing every alias each time was a visible part of a round.
const NO_EXTRA: Aliases = {};
const lookups = new WeakMap<Aliases, Map<string, MappedColumn>>();

function aliasLookup(extra: Aliases): Map<string, MappedColumn> {
  const known = lookups.get(extra);
  if (known) return known;
  const lookup = new Map<string, MappedColumn>();
  for (const [column, aliases] of Object.entries(HEADER_ALIASES) as [MappedColumn, readonly string[]][]) {
    for (const alias of [normalizeHeader(column), ...aliases, ...(extra[column] ?? []).map(normalizeHeader)]) {
      if (!lookup.has(alias)) lookup.set(alias, column);
    }
  }
  lookups.set(extra, lookup);
  return lookup;
}

export function mapHeader(fields: readonly string[], extra: Aliases = NO_EXTRA): HeaderMapping {
  const lookup = aliasLookup(extra);
  const byIndex: (MappedColumn | null)[] = [];
  const mapped: Partial<Record<MappedColumn, string>> = {};
  const unmapped: string[] = [];
  for (const field of fields) {
    const column = lookup.get(normalizeHeader(field));
    if (column && mapped[column] === undefined) {
      mapped[column] = field;
      byIndex.push(column);
    } else {
      byIndex.push(null);
      unmapped.push(field);
    }
  }
  return {
    byIndex,
    mapped,
    missing: SAMPLE_COLUMNS.filter((c) => mapped[c] === undefined),
    unmapped,
    timestampIndex: byIndex.indexOf('recorded_at'),
    fieldCount: fields.length,
  };
}
