// A1 notation, as the Sheets API reads and writes it: column letters, quoted sheet names, open-ended ranges.

/** 0-based column index -> letters (0 -> A, 64 -> BM, 67 -> BP). */
export function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** Letters -> 0-based column index. */
export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** `Operaciones` stays bare; names with spaces or punctuation are quoted, quotes doubled. */
export function quoteSheet(title: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(title) ? title : `'${title.replace(/'/g, "''")}'`;
}

/** 0-based, end-exclusive bounds; undefined = open (whole column / row). */
export interface GridBounds {
  startRow?: number;
  endRow?: number;
  startCol?: number;
  endCol?: number;
}

export interface ParsedRange {
  sheet: string | undefined;
  bounds: GridBounds;
}

const CELL = /^([A-Za-z]*)(\d*)$/;

/** Parses `Sheet!A1:C5`, `'My sheet'!B:B`, `2:2`, `A5:C`, `Sheet` (whole sheet). */
export function parseA1(range: string): ParsedRange {
  let sheet: string | undefined;
  let rest = range;
  const bang = range.lastIndexOf('!');
  if (bang >= 0) {
    sheet = range.slice(0, bang);
    rest = range.slice(bang + 1);
    if (sheet.startsWith("'") && sheet.endsWith("'")) sheet = sheet.slice(1, -1).replace(/''/g, "'");
  } else if (!/^[A-Za-z]{0,3}\d*(:[A-Za-z]{0,3}\d*)?$/.test(range) || range === '') {
    const name = range.startsWith("'") && range.endsWith("'") ? range.slice(1, -1).replace(/''/g, "'") : range;
    return { sheet: name, bounds: {} };
  }
  const [a, b] = rest.split(':') as [string, string | undefined];
  const ma = CELL.exec(a);
  const mb = b === undefined ? ma : CELL.exec(b);
  if (!ma || !mb || (a === '' && b === undefined)) throw new Error(`Unable to parse range: ${range}`);
  const bounds: GridBounds = {};
  if (ma[1]) bounds.startCol = columnIndex(ma[1]);
  if (ma[2]) bounds.startRow = Number(ma[2]) - 1;
  if (mb[1]) bounds.endCol = columnIndex(mb[1]) + 1;
  if (mb[2]) bounds.endRow = Number(mb[2]);
  // `A1:C` style: a cell start with an open end keeps the start's row; `A:C` leaves rows open.
  if (b === undefined) {
    if (!ma[1]) delete bounds.endCol;
    if (!ma[2]) delete bounds.endRow;
  }
  return { sheet, bounds };
}

/** `Operaciones!A1:BP10001` from 0-based end-exclusive bounds. */
export function formatA1(sheet: string, startRow: number, startCol: number, endRow: number, endCol: number): string {
  return `${quoteSheet(sheet)}!${columnLetter(startCol)}${startRow + 1}:${columnLetter(endCol - 1)}${endRow}`;
}
