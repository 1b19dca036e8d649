// Parquet tables through hyparquet (read) and hyparquet-writer (write): pure JavaScript, no native binary
// (see README "Parquet library" for the measurement against @duckdb/node-api and parquet-wasm).
// A table is column specs + plain rows; INT64 values come back as numbers when they fit (else strings).
import { readFile, stat } from 'node:fs/promises';
import { parquetMetadata, parquetReadObjects, type FileMetaData, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { writeFileAtomic } from '../file-ops.js';
import { RunDirError } from '../errors.js';

export type ColumnType = 'INT32' | 'INT64' | 'DOUBLE' | 'FLOAT' | 'BOOLEAN' | 'STRING';
export type Cell = number | string | boolean | null;

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
}

export interface Table {
  columns: ColumnSpec[];
  rows: Record<string, Cell>[];
}

export interface ParquetFile extends Table {
  /** Key-value metadata (e.g. pandas' schema JSON), kept when a table is rewritten unless it went stale. */
  metadata: { key: string; value?: string }[];
}

function columnType(element: SchemaElement, file: string): ColumnType {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  switch (element.type) {
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'INT32':
      if (!converted || converted === 'INT_8' || converted === 'INT_16' || converted === 'INT_32' || logical === 'INTEGER') return 'INT32';
      break;
    case 'INT64':
      if (!converted || converted === 'INT_64' || logical === 'INTEGER') return 'INT64';
      break;
    case 'DOUBLE':
      return 'DOUBLE';
    case 'FLOAT':
      return 'FLOAT';
    case 'BYTE_ARRAY':
      if (converted === 'UTF8' || logical === 'STRING') return 'STRING';
      break;
    default:
      break;
  }
  throw new RunDirError(`${file}: column "${element.name}" has a type this plugin does not rewrite (${element.type}${converted ? `/${converted}` : ''}${logical ? `/${logical}` : ''})`, { file });
}

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

/** Reads a whole parquet file; a corrupt or unreadable file is an error naming it. */
export async function readParquet(path: string, label = path): Promise<ParquetFile> {
  const bytes = await readFile(path);
  if (bytes.byteLength === 0) throw new RunDirError(`${label}: empty file (0 bytes), not a parquet file`, { file: label });
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata: FileMetaData;
  let objects: Record<string, unknown>[];
  try {
    metadata = parquetMetadata(buffer);
    objects = (await parquetReadObjects({ file: buffer, compressors })) as Record<string, unknown>[];
  } catch (error) {
    throw new RunDirError(`${label}: not a readable parquet file (${(error as Error).message})`, { file: label, cause: error });
  }
  const [root, ...elements] = metadata.schema;
  if (!root || elements.some((e) => e.num_children)) {
    throw new RunDirError(`${label}: nested parquet columns are not supported`, { file: label });
  }
  const columns = elements.map((e) => ({ name: e.name, type: columnType(e, label), nullable: e.repetition_type !== 'REQUIRED' }));
  const rows = objects.map((o) => {
    const row: Record<string, Cell> = {};
    for (const c of columns) row[c.name] = toCell(o[c.name]);
    return row;
  });
  return { columns, rows, metadata: (metadata.key_value_metadata ?? []).map((kv) => ({ key: kv.key, ...(kv.value === undefined ? {} : { value: kv.value }) })) };
}

function columnData(spec: ColumnSpec, rows: readonly Record<string, Cell>[], label: string): ColumnSource {
  const values = rows.map((r, i) => {
    const v = r[spec.name] ?? null;
    if (v === null) {
      if (!spec.nullable) throw new RunDirError(`${label}: row ${i}: column "${spec.name}" is required but null`, { file: label });
      return null;
    }
    switch (spec.type) {
      case 'INT32':
      case 'INT64':
        if (typeof v !== 'number' && typeof v !== 'string') break;
        if (spec.type === 'INT64') return BigInt(v);
        if (Number.isInteger(v) && Math.abs(v as number) <= 2 ** 31) return v;
        break;
      case 'DOUBLE':
      case 'FLOAT':
        if (typeof v === 'number') return v;
        break;
      case 'BOOLEAN':
        if (typeof v === 'boolean') return v;
        break;
      case 'STRING':
        if (typeof v === 'string') return v;
        break;
    }
    throw new RunDirError(`${label}: row ${i}: column "${spec.name}" (${spec.type}) cannot hold ${JSON.stringify(v)}`, { file: label });
  });
  return { name: spec.name, data: values as ColumnSource['data'], type: spec.type, nullable: spec.nullable };
}

export function encodeParquet(table: Table, metadata: ParquetFile['metadata'] = [], label = 'table'): Uint8Array {
  const names = new Set<string>();
  for (const c of table.columns) {
    if (names.has(c.name)) throw new RunDirError(`${label}: column "${c.name}" appears twice`, { file: label });
    names.add(c.name);
  }
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: table.columns.map((c) => columnData(c, table.rows, label)),
      kvMetadata: metadata,
      createdBy: 'tidemark plugin-run-dirs (hyparquet-writer)',
    }),
  );
}

/** Writes through the file discipline (temp, fsync, rename): the old file stays whole until the rename. */
export async function writeParquet(path: string, table: Table, metadata: ParquetFile['metadata'] = [], label = path): Promise<void> {
  await writeFileAtomic(path, encodeParquet(table, metadata, label));
}

/** Column specs from the footer only (cheap: a detector reads no data pages). */
export async function readParquetColumns(path: string, label = path): Promise<ColumnSpec[]> {
  const { asyncBufferFromFile, parquetMetadataAsync } = await import('hyparquet');
  if ((await stat(path)).size === 0) throw new RunDirError(`${label}: empty file (0 bytes), not a parquet file`, { file: label });
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
  } catch (error) {
    throw new RunDirError(`${label}: not a readable parquet file (${(error as Error).message})`, { file: label, cause: error });
  }
  return metadata.schema.slice(1).map((e) => ({ name: e.name, type: columnType(e, label), nullable: e.repetition_type !== 'REQUIRED' }));
}

/** pandas' read_csv typing: all-integer columns INT64, numeric ones DOUBLE (empty = NaN), else STRING. */
export function typeCsvColumns(header: readonly string[], rows: readonly string[][]): Table {
  const columns: ColumnSpec[] = header.map((name, c) => {
    const cells = rows.map((r) => r[c]!.trim());
    const filled = cells.filter((s) => s !== '');
    let type: ColumnType = 'STRING';
    if (filled.length > 0 && filled.every((s) => /^[+-]?\d+$/.test(s)) && filled.length === cells.length) type = 'INT64';
    else if (filled.length > 0 && filled.every((s) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) || /^(nan|NaN|inf|-inf)$/.test(s))) type = 'DOUBLE';
    else if (filled.length === 0 && cells.length > 0) type = 'DOUBLE';
    return { name, type, nullable: true };
  });
  const parsed = rows.map((r) => {
    const row: Record<string, Cell> = {};
    columns.forEach((col, c) => {
      const raw = r[c]!;
      const s = raw.trim();
      if (col.type === 'INT64') row[col.name] = Number(s);
      else if (col.type === 'DOUBLE') row[col.name] = s === '' || /^nan$/i.test(s) ? Number.NaN : /^-inf$/.test(s) ? -Infinity : /^inf$/.test(s) ? Infinity : Number(s);
      else row[col.name] = raw === '' ? null : raw;
    });
    return row;
  });
  return { columns, rows: parsed };
}
