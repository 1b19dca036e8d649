// Normalizing legacy id columns (TopazID / WeppID, floats, strings, " 12 ") to Int32 columns.
import { RunDirError } from '../errors.js';
import { parseId } from './ids.js';
import { logicalValue, type Cell, type ColumnSpec, type Table } from './parquet.js';

export interface IdColumnRule {
  /** Normalized name, e.g. topaz_id. */
  name: string;
  /** Legacy names it may appear under, e.g. TopazID. */
  legacy: readonly string[];
  /** The table is unusable without it. */
  required: boolean;
  /** Missing but computable from other tables (the Topaz translator): a missing column is left to the caller. */
  derive?: boolean;
  /** What to do with a cell that is not an Int32: fail the migration, or store null and count it. */
  onInvalid: 'error' | 'null';
}

export interface IdNormalization {
  table: Table;
  /** Cells that became null, per column (onInvalid: 'null'). */
  nulled: Record<string, { row: number; value: unknown; reason: string }[]>;
}

/** Id columns first (in rule order), every other column after in its original order; legacy names dropped. */
export function normalizeIdColumns(
  table: Table,
  rules: readonly IdColumnRule[],
  label: string,
  rename: Record<string, string> = {},
): IdNormalization {
  const nulled: IdNormalization['nulled'] = {};
  const idColumns: ColumnSpec[] = [];
  const values = new Map<string, (number | null)[]>();
  const consumed = new Set<string>();
  for (const rule of rules) {
    const sources = [rule.name, ...rule.legacy].filter((n) => table.columns.some((c) => c.name === n));
    if (sources.length === 0) {
      if (rule.required && !rule.derive)
        throw new RunDirError(
          `${label}: required column "${rule.name}" (or ${rule.legacy.map((l) => `"${l}"`).join(', ')}) is missing`,
          { file: label },
        );
      continue;
    }
    sources.forEach((s) => consumed.add(s));
    const specs = new Map(sources.map((s) => [s, table.columns.find((c) => c.name === s)!]));
    const column: (number | null)[] = [];
    table.rows.forEach((row, i) => {
      let chosen: number | null = null;
      let firstBad: { value: unknown; reason: string } | null = null;
      for (const source of sources) {
        const raw = logicalValue(specs.get(source)!, row[source] ?? null);
        if (raw === null) continue;
        const parsed = parseId(raw);
        if (!parsed.ok) {
          firstBad ??= { value: raw, reason: parsed.reason };
          continue;
        }
        if (chosen !== null && chosen !== parsed.value) {
          throw new RunDirError(
            `${label}: row ${i}: "${sources[0]}" and "${source}" disagree (${chosen} vs ${parsed.value})`,
            { file: label },
          );
        }
        chosen = parsed.value;
      }
      if (chosen === null) {
        const why = firstBad ? `${JSON.stringify(firstBad.value)} is ${firstBad.reason}` : 'is null';
        if (rule.onInvalid === 'error') {
          throw new RunDirError(`${label}: row ${i}: field "${sources.join('"/"')}" ${why}; an Int32 id is required`, {
            file: label,
          });
        }
        (nulled[rule.name] ??= []).push({ row: i, value: firstBad?.value ?? null, reason: firstBad?.reason ?? 'null' });
      }
      column.push(chosen);
    });
    values.set(rule.name, column);
    idColumns.push({ name: rule.name, type: 'INT32', nullable: rule.onInvalid === 'null' });
  }
  const rest = table.columns
    .filter((c) => !consumed.has(c.name))
    .map((c) => ({ ...c, name: rename[c.name] ?? c.name }));
  const clash = rest.find(
    (c) => idColumns.some((i) => i.name === c.name) || rest.filter((r) => r.name === c.name).length > 1,
  );
  if (clash)
    throw new RunDirError(`${label}: column "${clash.name}" would appear twice after renaming`, { file: label });
  const original = new Map(
    table.columns.filter((c) => !consumed.has(c.name)).map((c) => [rename[c.name] ?? c.name, c.name]),
  );
  const rows = table.rows.map((row, i) => {
    const out: Record<string, Cell> = {};
    for (const c of idColumns) out[c.name] = values.get(c.name)![i]!;
    for (const c of rest) out[c.name] = row[original.get(c.name)!] ?? null;
    return out;
  });
  return { table: { columns: [...idColumns, ...rest], rows }, nulled };
}
