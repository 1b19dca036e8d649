// Parquet tables through hyparquet (read) and hyparquet-writer (write): pure JavaScript, no native binary
// (see README "Parquet library" for the measurement against @duckdb/node-api and parquet-wasm).
// A table is column specs + plain rows; INT64 values come back as numbers when they fit (else strings).
// Columns of any other type ('RAW': decimals, dates, timestamps, times, binary, UUID, FLOAT16, enums, JSON,
// small and unsigned ints, ...) are carried through untouched: their schema element is kept, their cells are
// the physical values (INT64 as number or decimal string, bytes as base64), and they are written back
// physically under the same element, so a step never reinterprets (or refuses) a column it does not change.
import { readFile, stat } from 'node:fs/promises';
import { parquetMetadata, parquetReadObjects, type FileMetaData, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ByteWriter, ParquetWriter, parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { writeFileAtomic } from '../file-ops.js';
import { RunDirError } from '../errors.js';

export type ColumnType = 'INT32' | 'INT64' | 'DOUBLE' | 'FLOAT' | 'BOOLEAN' | 'STRING' | 'RAW';
export type Cell = number | string | boolean | null;

/** The parquet schema element of a RAW column, as read (name and repetition live in the ColumnSpec). */
export type CarriedElement = Omit<SchemaElement, 'name' | 'repetition_type' | 'num_children'>;

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /** RAW columns only: the exact element to write back. */
  element?: CarriedElement;
}

export interface Table {
  columns: ColumnSpec[];
  rows: Record<string, Cell>[];
}

export interface ParquetFile extends Table {
  /** Key-value metadata (e.g. pandas' schema JSON), kept when a table is rewritten unless it went stale. */
  metadata: { key: string; value?: string }[];
}

function columnType(element: SchemaElement): ColumnType {
  const logical = element.logical_type;
  const converted = element.converted_type;
  const signedInt = (bits: number) => logical?.type === 'INTEGER' && logical.bitWidth === bits && logical.isSigned;
  switch (element.type) {
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'INT32':
      if ((!converted || converted === 'INT_32') && (!logical || signedInt(32))) return 'INT32';
      break;
    case 'INT64':
      if ((!converted || converted === 'INT_64') && (!logical || signedInt(64))) return 'INT64';
      break;
    case 'DOUBLE':
      if (!converted && !logical) return 'DOUBLE';
      break;
    case 'FLOAT':
      if (!converted && !logical) return 'FLOAT';
      break;
    case 'BYTE_ARRAY':
      if ((converted === 'UTF8' || !converted) && (logical?.type === 'STRING' || (!logical && converted === 'UTF8')))
        return 'STRING';
      break;
    default:
      break;
  }
  return 'RAW';
}

function specOf(e: SchemaElement): ColumnSpec {
  const type = columnType(e);
  const spec: ColumnSpec = { name: e.name, type, nullable: e.repetition_type !== 'REQUIRED' };
  if (type === 'RAW') {
    const { name: _n, repetition_type: _r, num_children: _c, ...element } = e;
    spec.element = JSON.parse(JSON.stringify(element)) as CarriedElement;
  }
  return spec;
}

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return String(value);
}

/** Schema with the annotations of RAW columns removed, so hyparquet hands back their physical values. */
function physicalSchema(schema: SchemaElement[], raw: ReadonlySet<string>): SchemaElement[] {
  return schema.map((e, i) => {
    if (i === 0 || !raw.has(e.name)) return e;
    const { converted_type: _c, logical_type: _l, scale: _s, precision: _p, ...physical } = e;
    return physical;
  });
}

/**
 * The number a RAW integer-like cell stands for (small/unsigned ints, scale-0 decimals), for id parsing; else the cell.
 */
export function logicalValue(spec: ColumnSpec, cell: Cell): Cell {
  const e = spec.element;
  if (spec.type !== 'RAW' || !e || cell === null || (e.type !== 'INT32' && e.type !== 'INT64')) return cell;
  const n = typeof cell === 'string' ? BigInt(cell) : typeof cell === 'number' ? BigInt(cell) : null;
  if (n === null) return cell;
  const unsigned =
    (e.converted_type?.startsWith('UINT_') ?? false) ||
    (e.logical_type?.type === 'INTEGER' && !e.logical_type.isSigned);
  const bits = e.type === 'INT32' ? 32n : 64n;
  const value = unsigned && n < 0n ? n + (1n << bits) : n;
  const scale = e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL' ? (e.scale ?? 0) : 0;
  if (scale !== 0) return Number(value) / 10 ** scale;
  if (
    e.converted_type === 'DATE' ||
    e.converted_type?.startsWith('TIME') ||
    e.logical_type?.type === 'DATE' ||
    e.logical_type?.type === 'TIME' ||
    e.logical_type?.type === 'TIMESTAMP'
  )
    return cell;
  return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
}

/**
 * Only the named top-level columns (those the file has), e.g. the ids a validator checks: a column of a type this
 * module cannot read or write (nested) elsewhere in the file does not stop a step that never rewrites the file.
 */
export async function readParquetSelected(path: string, names: readonly string[], label = path): Promise<Table> {
  const bytes = await readFile(path);
  if (bytes.byteLength === 0)
    throw new RunDirError(`${label}: empty file (0 bytes), not a parquet file`, { file: label });
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const metadata = parquetMetadata(buffer, { geoparquet: false });
    const columns: ColumnSpec[] = [];
    let skip = 0;
    for (const e of metadata.schema.slice(1)) {
      if (skip > 0) {
        skip += (e.num_children ?? 0) - 1;
        continue;
      }
      if (e.num_children) skip = e.num_children;
      else if (names.includes(e.name)) columns.push(specOf(e));
    }
    if (columns.length === 0) return { columns, rows: Array.from({ length: Number(metadata.num_rows) }, () => ({})) };
    const raw = new Set(columns.filter((c) => c.type === 'RAW').map((c) => c.name));
    const physical = raw.size === 0 ? metadata : { ...metadata, schema: physicalSchema(metadata.schema, raw) };
    const objects = (await parquetReadObjects({
      file: buffer,
      metadata: physical,
      columns: columns.map((c) => c.name),
      compressors,
      utf8: false,
      parsers: { timestampFromNanoseconds: (n: bigint) => n },
    })) as Record<string, unknown>[];
    return { columns, rows: objects.map((o) => Object.fromEntries(columns.map((c) => [c.name, toCell(o[c.name])]))) };
  } catch (error) {
    if (error instanceof RunDirError) throw error;
    throw new RunDirError(`${label}: not a readable parquet file (${(error as Error).message})`, {
      file: label,
      cause: error,
    });
  }
}

/** Reads a whole parquet file; a corrupt or unreadable file is an error naming it. */
export async function readParquet(path: string, label = path): Promise<ParquetFile> {
  const bytes = await readFile(path);
  if (bytes.byteLength === 0)
    throw new RunDirError(`${label}: empty file (0 bytes), not a parquet file`, { file: label });
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata: FileMetaData;
  let objects: Record<string, unknown>[];
  let columns: ColumnSpec[];
  try {
    metadata = parquetMetadata(buffer, { geoparquet: false });
    const [root, ...elements] = metadata.schema;
    const nested = elements.find((e) => e.num_children);
    if (!root || nested) {
      throw new RunDirError(
        `${label}: nested parquet columns are not supported${nested ? ` (column "${nested.name}")` : ''}; the file cannot be rewritten`,
        { file: label },
      );
    }
    columns = elements.map(specOf);
    const raw = new Set(columns.filter((c) => c.type === 'RAW').map((c) => c.name));
    const physical = raw.size === 0 ? metadata : { ...metadata, schema: physicalSchema(metadata.schema, raw) };
    // INT96 is decoded through this parser even without annotation: keep its nanoseconds.
    objects = (await parquetReadObjects({
      file: buffer,
      metadata: physical,
      compressors,
      utf8: false,
      parsers: { timestampFromNanoseconds: (n: bigint) => n },
    })) as Record<string, unknown>[];
  } catch (error) {
    if (error instanceof RunDirError) throw error;
    throw new RunDirError(`${label}: not a readable parquet file (${(error as Error).message})`, {
      file: label,
      cause: error,
    });
  }
  const rows = objects.map((o) => {
    const row: Record<string, Cell> = {};
    for (const c of columns) row[c.name] = toCell(o[c.name]);
    return row;
  });
  return {
    columns,
    rows,
    metadata: (metadata.key_value_metadata ?? []).map((kv) => ({
      key: kv.key,
      ...(kv.value === undefined ? {} : { value: kv.value }),
    })),
  };
}

function columnData(spec: ColumnSpec, rows: readonly Record<string, Cell>[], label: string): ColumnSource {
  const values = rows.map((r, i) => {
    const v = r[spec.name] ?? null;
    if (v === null) {
      if (!spec.nullable)
        throw new RunDirError(`${label}: row ${i}: column "${spec.name}" is required but null`, { file: label });
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
      case 'RAW':
        return rawPhysical(spec, v, i, label);
    }
    throw new RunDirError(`${label}: row ${i}: column "${spec.name}" (${spec.type}) cannot hold ${JSON.stringify(v)}`, {
      file: label,
    });
  });
  return {
    name: spec.name,
    data: values as ColumnSource['data'],
    type: spec.type === 'RAW' ? undefined : spec.type,
    nullable: spec.nullable,
  };
}

function rawPhysical(spec: ColumnSpec, v: Cell, row: number, label: string): unknown {
  const type = spec.element?.type;
  const bad = () =>
    new RunDirError(
      `${label}: row ${row}: column "${spec.name}" (${type ?? 'no element'}) cannot hold ${JSON.stringify(v)}`,
      { file: label },
    );
  switch (type) {
    case 'INT32':
    case 'FLOAT':
    case 'DOUBLE':
      if (typeof v === 'number') return v;
      throw bad();
    case 'INT64':
      if ((typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v)))
        return BigInt(v);
      throw bad();
    case 'BOOLEAN':
      if (typeof v === 'boolean') return v;
      throw bad();
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      if (typeof v === 'string') return new Uint8Array(Buffer.from(v, 'base64'));
      throw bad();
    default:
      throw new RunDirError(
        `${label}: column "${spec.name}" has physical type ${type ?? 'unknown'}, which the parquet writer cannot write`,
        { file: label },
      );
  }
}

function basicElement(c: ColumnSpec): SchemaElement {
  const repetition_type = c.nullable ? 'OPTIONAL' : 'REQUIRED';
  if (c.type === 'STRING') return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
  if (c.type === 'RAW') throw new Error('unreachable: RAW column without element');
  return { name: c.name, type: c.type, repetition_type };
}

/** Writes RAW columns physically (no conversion, no statistics: their ordering depends on the annotation), then
 * puts their annotated elements into the footer. */
function encodeWithRawColumns(table: Table, metadata: ParquetFile['metadata'], label: string): Uint8Array {
  const physical: SchemaElement[] = [{ name: 'root', num_children: table.columns.length }];
  const annotated: SchemaElement[] = [{ name: 'root', num_children: table.columns.length }];
  for (const c of table.columns) {
    if (c.type === 'RAW') {
      if (!c.element) throw new RunDirError(`${label}: RAW column "${c.name}" has no schema element`, { file: label });
      const repetition_type = c.nullable ? 'OPTIONAL' : 'REQUIRED';
      const { type, type_length } = c.element;
      physical.push({ name: c.name, type, ...(type_length === undefined ? {} : { type_length }), repetition_type });
      annotated.push({ ...c.element, name: c.name, repetition_type } as SchemaElement);
    } else {
      physical.push(basicElement(c));
      annotated.push(basicElement(c));
    }
  }
  const writer = new ByteWriter();
  const pq = new ParquetWriter({
    writer,
    schema: physical,
    kvMetadata: metadata,
    createdBy: 'tidemark plugin-run-dirs (hyparquet-writer)',
  });
  void pq.write({
    columnData: table.columns.map((c) => ({
      ...columnData(c, table.rows, label),
      type: undefined,
      nullable: undefined,
      statistics: c.type !== 'RAW',
    })),
  });
  pq.schema = annotated;
  void pq.finish();
  return new Uint8Array(writer.getBuffer());
}

export function encodeParquet(table: Table, metadata: ParquetFile['metadata'] = [], label = 'table'): Uint8Array {
  const names = new Set<string>();
  for (const c of table.columns) {
    if (names.has(c.name)) throw new RunDirError(`${label}: column "${c.name}" appears twice`, { file: label });
    names.add(c.name);
  }
  if (table.columns.some((c) => c.type === 'RAW')) return encodeWithRawColumns(table, metadata, label);
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: table.columns.map((c) => columnData(c, table.rows, label)),
      kvMetadata: metadata,
      createdBy: 'tidemark plugin-run-dirs (hyparquet-writer)',
    }),
  );
}

/** Writes through the file discipline (temp, fsync, rename): the old file stays whole until the rename. */
export async function writeParquet(
  path: string,
  table: Table,
  metadata: ParquetFile['metadata'] = [],
  label = path,
): Promise<void> {
  await writeFileAtomic(path, encodeParquet(table, metadata, label));
}

/** Column specs from the footer only (cheap: a detector reads no data pages). */
export async function readParquetColumns(path: string, label = path): Promise<ColumnSpec[]> {
  const { asyncBufferFromFile, parquetMetadataAsync } = await import('hyparquet');
  if ((await stat(path)).size === 0)
    throw new RunDirError(`${label}: empty file (0 bytes), not a parquet file`, { file: label });
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(await asyncBufferFromFile(path), { geoparquet: false });
  } catch (error) {
    throw new RunDirError(`${label}: not a readable parquet file (${(error as Error).message})`, {
      file: label,
      cause: error,
    });
  }
  // Top-level fields only: a nested one (list, struct) is reported as RAW without element, so a detector can look
  // at the id columns of a file it would not have to rewrite.
  const columns: ColumnSpec[] = [];
  let skip = 0;
  for (const e of metadata.schema.slice(1)) {
    if (skip > 0) {
      skip += (e.num_children ?? 0) - 1;
      continue;
    }
    if (e.num_children) {
      columns.push({ name: e.name, type: 'RAW', nullable: e.repetition_type !== 'REQUIRED' });
      skip = e.num_children;
    } else columns.push(specOf(e));
  }
  return columns;
}

/** pandas' read_csv typing: all-integer columns INT64, numeric ones DOUBLE (empty = NaN), else STRING. */
export function typeCsvColumns(header: readonly string[], rows: readonly string[][]): Table {
  const columns: ColumnSpec[] = header.map((name, c) => {
    const cells = rows.map((r) => r[c]!.trim());
    const filled = cells.filter((s) => s !== '');
    let type: ColumnType = 'STRING';
    if (filled.length > 0 && filled.every((s) => /^[+-]?\d+$/.test(s)) && filled.length === cells.length)
      type = 'INT64';
    else if (
      filled.length > 0 &&
      filled.every((s) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) || /^(nan|NaN|inf|-inf)$/.test(s))
    )
      type = 'DOUBLE';
    else if (filled.length === 0 && cells.length > 0) type = 'DOUBLE';
    return { name, type, nullable: true };
  });
  const parsed = rows.map((r) => {
    const row: Record<string, Cell> = {};
    columns.forEach((col, c) => {
      const raw = r[c]!;
      const s = raw.trim();
      if (col.type === 'INT64') row[col.name] = Number(s);
      else if (col.type === 'DOUBLE')
        row[col.name] =
          s === '' || /^nan$/i.test(s)
            ? Number.NaN
            : /^-inf$/.test(s)
              ? -Infinity
              : /^inf$/.test(s)
                ? Infinity
                : Number(s);
      else row[col.name] = raw === '' ? null : raw;
    });
    return row;
  });
  return { columns, rows: parsed };
}
