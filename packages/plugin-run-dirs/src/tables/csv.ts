// CSV as pandas' to_csv writes it (RFC 4180 quoting, optional unnamed index column). Values stay strings;
// the caller types them. An unterminated quote is an error naming the file and line.
import { RunDirError } from '../errors.js';

export interface CsvTable {
  header: string[];
  rows: string[][];
}

export function parseCsv(text: string, label: string): CsvTable {
  if (text.trim() === '') throw new RunDirError(`${label}: empty CSV (no header)`, { file: label });
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      line++;
    } else field += c;
  }
  if (quoted) throw new RunDirError(`${label}: line ${quoteLine}: unterminated quoted field`, { file: label });
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const nonEmpty = records.filter((r) => !(r.length === 1 && r[0] === ''));
  const [header, ...rows] = nonEmpty;
  if (!header) throw new RunDirError(`${label}: empty CSV (no header)`, { file: label });
  rows.forEach((r, i) => {
    if (r.length !== header.length) {
      throw new RunDirError(`${label}: row ${i + 1}: ${r.length} fields, the header has ${header.length}`, {
        file: label,
      });
    }
  });
  return { header, rows };
}

export function formatCsv(table: CsvTable): string {
  const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [table.header, ...table.rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}
