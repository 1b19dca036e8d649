// Reading the sheet once (properties + every value, two requests) and telling what shape it has: v2.1, v3.0,
// or something we refuse to touch, with every problem named by column letter and header.
import type { sheets_v4 } from '@googleapis/sheets';
import { TidemarkError } from '@tidemark/core';
import { columnLetter, quoteSheet } from './a1.js';
import { PLUGIN } from './client.js';
import { KNOWN_V21_HEADERS, normalizeHeader, type SheetSchema } from './schema.js';
import type { SheetsTarget } from './target.js';

export type Cell = string | number | boolean;

export interface SheetView {
  sheetId: number;
  title: string;
  rowCount: number;
  columnCount: number;
  /** Row 1 as text, trailing empty cells trimmed. */
  headers: string[];
  /** Every row (FORMULA render: numbers stay numbers, formulas stay formulas), trailing empties trimmed. */
  values: Cell[][];
}

export const PROPS_FIELDS = 'spreadsheetId,properties.title,sheets.properties,developerMetadata';

/** Sheet properties (and spreadsheet-level developer metadata): cached until we change the structure. */
export async function spreadsheetProps(target: SheetsTarget, fresh = false): Promise<sheets_v4.Schema$Spreadsheet> {
  const { session } = target;
  if (!fresh && session.cache.props) return session.cache.props;
  const sheets = await session.sheets();
  const data = await session.call('sheets.get', 'read', (o) =>
    sheets.spreadsheets.get({ spreadsheetId: target.spreadsheetId, fields: PROPS_FIELDS }, o),
  );
  session.cache.props = data;
  return data;
}

export function sheetProps(
  target: SheetsTarget,
  props: sheets_v4.Schema$Spreadsheet,
): sheets_v4.Schema$SheetProperties {
  const found = props.sheets?.find((s) => s.properties?.title === target.sheetName)?.properties;
  if (!found) {
    const names = (props.sheets ?? []).map((s) => `"${s.properties?.title}"`).join(', ');
    throw new TidemarkError(
      'VALIDATION_FAILED',
      `sheet "${target.sheetName}" not found; the spreadsheet has ${names || 'no sheets'}`,
      { plugin: PLUGIN, target: label(target) },
    );
  }
  return found;
}

/** Every value of the sheet in one values.batchGet, cached until our next grid write. */
export async function readValues(
  target: SheetsTarget,
  spreadsheetId = target.spreadsheetId,
  sheetName = target.sheetName,
): Promise<Cell[][]> {
  const { session } = target;
  const key = `${spreadsheetId}/${sheetName}`;
  const own = spreadsheetId === target.spreadsheetId;
  if (own && session.cache.values?.key === key) return (session.cache.values.ranges[0]?.values ?? []) as Cell[][];
  const sheets = await session.sheets();
  const data = await session.call('sheets.values.batchGet', 'read', (o) =>
    sheets.spreadsheets.values.batchGet(
      {
        spreadsheetId,
        ranges: [quoteSheet(sheetName)],
        valueRenderOption: 'FORMULA',
        dateTimeRenderOption: 'SERIAL_NUMBER',
        majorDimension: 'ROWS',
      },
      o,
    ),
  );
  const ranges = data.valueRanges ?? [];
  if (own) session.cache.values = { key, ranges };
  return (ranges[0]?.values ?? []) as Cell[][];
}

export async function viewSheet(target: SheetsTarget): Promise<SheetView> {
  // Properties first (usually cached): a missing sheet is reported by name, not as an unparsable range.
  const p = sheetProps(target, await spreadsheetProps(target));
  const values = await readValues(target);
  const headers = (values[0] ?? []).map((h) => String(h).trim());
  while (headers.length > 0 && headers[headers.length - 1] === '') headers.pop();
  return {
    sheetId: p.sheetId ?? 0,
    title: p.title ?? target.sheetName,
    rowCount: p.gridProperties?.rowCount ?? 0,
    columnCount: p.gridProperties?.columnCount ?? 0,
    headers,
    values,
  };
}

export function label(target: SheetsTarget): string {
  return `sheets:${target.spreadsheetId}/${target.sheetName}`;
}

export type Shape = 'v2.1' | 'v3.0' | 'invalid';

export interface Classification {
  shape: Shape;
  problems: string[];
  /** Data rows (a non-empty key cell) by 0-based row index. */
  dataRows: number[];
  /** v3.0 only: data rows whose version cell is empty. */
  missingVersions: number[];
  /** Columns before the v3.0 ones: the sheet's own v2.1 headers (at least the seed's 65; extra ones are carried). */
  width: number;
  /** 0-based column of `version`, or -1. */
  versionIndex: number;
  /** 0-based column of the key header, or -1. */
  keyIndex: number;
  /** Known v2.1 headers (domain facts) found in row 1, with their column letters. */
  known: string[];
}

const col = (i: number) => columnLetter(i);

export function classify(view: SheetView, schema: SheetSchema): Classification {
  const problems: string[] = [];
  const { headers, values } = view;
  const none = { dataRows: [], missingVersions: [], width: 0, versionIndex: -1, keyIndex: -1, known: [] };
  if (values.length === 0 || headers.length === 0) {
    return {
      shape: 'invalid',
      problems: [
        `sheet "${view.title}" is empty: row 1 must hold the v2.1 headers (${schema.key} and at least ${schema.minColumns} columns)`,
      ],
      ...none,
    };
  }
  const seen = new Map<string, number>();
  headers.forEach((h, i) => {
    const k = normalizeHeader(h);
    if (h === '') problems.push(`column ${col(i)}: empty header between other headers`);
    else if (seen.has(k)) problems.push(`duplicate header "${h}" in columns ${col(seen.get(k)!)} and ${col(i)}`);
    else seen.set(k, i);
  });
  const at = (h: string) => seen.get(normalizeHeader(h)) ?? -1;
  // The v3.0 columns: none of them (v2.1), or all three as the last headers, in order (v3.0).
  const added = schema.added.map(at);
  const present = added.filter((i) => i >= 0).length;
  let shape: Shape = 'invalid';
  let width = headers.length;
  if (present === 0) shape = 'v2.1';
  else if (present === schema.added.length && added.every((i, k) => i === headers.length - schema.added.length + k)) {
    shape = 'v3.0';
    width = headers.length - schema.added.length;
  } else {
    problems.push(
      `the v3.0 columns are only partly in place: ${schema.added.map((h, k) => `${h} ${added[k]! >= 0 ? `in column ${col(added[k]!)}` : 'missing'}`).join(', ')} (expected none, or all three as the last columns)`,
    );
  }
  const keyIndex = at(schema.key);
  if (keyIndex < 0 || keyIndex >= width)
    problems.push(`no "${schema.key}" header in row 1: this is not the v2.1 layout (its key column is missing)`);
  if (schema.legacy) {
    schema.legacy.forEach((expected, i) => {
      const found = headers[i];
      if (found === expected) return;
      const elsewhere = headers.indexOf(expected);
      if (elsewhere >= 0)
        problems.push(
          `header "${expected}" is in column ${col(elsewhere)}, expected in column ${col(i)} (headers moved)`,
        );
      else
        problems.push(
          `column ${col(i)}: expected header "${expected}", found ${found ? `"${found}"` : 'nothing'} (renamed or missing)`,
        );
    });
  } else if (width < schema.minColumns) {
    problems.push(
      `row 1 has ${width} v2.1 header(s), the v2.1 layout has ${schema.minColumns}: column(s) ${col(width)}..${col(schema.minColumns - 1)} are missing`,
    );
  }
  const stray = new Map<number, number>();
  values.forEach((row, r) => {
    if (r === 0) return;
    for (let c = headers.length; c < row.length; c++)
      if (row[c] !== '' && row[c] !== null && row[c] !== undefined) stray.set(c, (stray.get(c) ?? 0) + 1);
  });
  for (const [c, count] of [...stray].sort((a, b) => a[0] - b[0]))
    problems.push(`column ${col(c)} has values in ${count} row(s) but no header`);
  if (problems.length > 0) shape = 'invalid';

  const dataRows: number[] = [];
  if (keyIndex >= 0) {
    for (let r = 1; r < values.length; r++) {
      const k = values[r]?.[keyIndex];
      if (k !== undefined && k !== null && String(k).trim() !== '') dataRows.push(r);
    }
  }
  const versionIndex = shape === 'v3.0' ? added[schema.added.indexOf('version')]! : -1;
  const missingVersions: number[] = [];
  if (shape === 'v3.0') {
    for (const r of dataRows) {
      const cell = values[r]?.[versionIndex];
      if (cell === undefined || cell === null || cell === '') missingVersions.push(r);
    }
  }
  const known = KNOWN_V21_HEADERS.filter((h) => at(h) >= 0 && at(h) < width).map((h) => `${col(at(h))} ${h}`);
  return { shape, problems, dataRows, missingVersions, width, versionIndex, keyIndex, known };
}

/** Throws a clear error listing every problem; nothing has been written when this throws. */
export function refuse(target: SheetsTarget, message: string, problems: string[]): never {
  const list = problems.map((p) => `\n  - ${p}`).join('');
  throw new TidemarkError('VALIDATION_FAILED', `${message}; nothing was written${list}`, {
    plugin: PLUGIN,
    target: label(target),
  });
}
