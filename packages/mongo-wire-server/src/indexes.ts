// Index specs as the server keeps them, and the key extraction that unique enforcement needs.
import type { Document } from 'bson';
import { Query } from 'mingo';
import { CommandError } from './errors.js';
import { keyString, valuesAtPath } from './keys.js';

export interface IndexSpec extends Document {
  v: number;
  key: Record<string, unknown>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
}

/** Options the server accepts in an index spec; anything else is InvalidIndexSpecificationOption, as mongod does. */
const ALLOWED_OPTIONS = new Set([
  'key',
  'name',
  'v',
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
  'background',
  'hidden',
  'collation',
  'weights',
  'default_language',
  'language_override',
  'textIndexVersion',
  '2dsphereIndexVersion',
  'bits',
  'min',
  'max',
  'wildcardProjection',
  'storageEngine',
  'bucketSize',
  'ns',
]);

export function normalizeIndexSpec(raw: Document): IndexSpec {
  if (!raw || typeof raw.key !== 'object' || raw.key === null || Object.keys(raw.key as Document).length === 0) {
    throw new CommandError('FailedToParse', "The 'key' field of an index spec must be a non-empty object");
  }
  if (typeof raw.name !== 'string' || raw.name.length === 0) {
    throw new CommandError('FailedToParse', "The 'name' field of an index spec is required and must be a string");
  }
  for (const field of Object.keys(raw)) {
    if (!ALLOWED_OPTIONS.has(field)) {
      throw new CommandError(
        'InvalidIndexSpecificationOption',
        `The field '${field}' is not valid for an index specification. Specification: ${JSON.stringify(raw)}`,
      );
    }
  }
  if (
    raw.expireAfterSeconds !== undefined &&
    (typeof raw.expireAfterSeconds !== 'number' || raw.expireAfterSeconds < 0)
  ) {
    throw new CommandError('InvalidOptions', "TTL index 'expireAfterSeconds' option must be a non-negative number");
  }
  if (
    raw.partialFilterExpression !== undefined &&
    (typeof raw.partialFilterExpression !== 'object' || raw.partialFilterExpression === null)
  ) {
    throw new CommandError('TypeMismatch', "'partialFilterExpression' for an index must be a document");
  }
  if (raw.partialFilterExpression !== undefined && raw.sparse === true) {
    throw new CommandError('InvalidOptions', 'cannot mix "partialFilterExpression" and "sparse" options');
  }
  const { key, name, v: _v, ns: _ns, background: _background, ...options } = raw;
  const spec: IndexSpec = { v: 2, key: key as Record<string, unknown>, name: name as string, ...options };
  if (spec.unique === false) delete spec.unique;
  return spec;
}

/** Key pattern and options that make two specs "the same index" (name aside). */
export function indexIdentity(spec: IndexSpec): string {
  const { v: _v, name: _name, ...rest } = spec;
  const ordered = Object.keys(rest)
    .sort()
    .map((k) => [k, rest[k]]);
  return keyString(ordered);
}

export function sameKeyPattern(a: IndexSpec, b: IndexSpec): boolean {
  return (
    keyString(a.key) === keyString(b.key) &&
    keyString(a.partialFilterExpression ?? null) === keyString(b.partialFilterExpression ?? null)
  );
}

export const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/** A unique index's keys for one document, or null when the document is not in the index (sparse, partial). */
export class IndexKeyer {
  private readonly fields: string[];
  private readonly partial: Query | undefined;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression) : undefined;
  }

  keysOf(doc: Document): { keys: string[]; values: Map<string, Document> } | null {
    if (this.partial && !this.partial.test(doc)) return null;
    const perField = this.fields.map((field) => valuesAtPath(doc, field));
    if (this.spec.sparse && perField.every((values) => values.length === 0)) return null;
    const keys: string[] = [];
    const values = new Map<string, Document>();
    let combos: unknown[][] = [[]];
    for (const fieldValues of perField) {
      const options = fieldValues.length === 0 ? [null] : fieldValues.map((v) => (v === undefined ? null : v));
      combos = combos.flatMap((prefix) => options.map((v) => [...prefix, v]));
    }
    for (const combo of combos) {
      const key = keyString(combo);
      if (values.has(key)) continue;
      keys.push(key);
      const keyValue: Document = {};
      this.fields.forEach((field, i) => {
        keyValue[field] = combo[i];
      });
      values.set(key, keyValue);
    }
    return { keys, values };
  }
}

export function formatKeyValue(keyValue: Document): string {
  const parts = Object.entries(keyValue).map(([field, value]) => `${field}: ${formatValue(value)}`);
  return `{ ${parts.join(', ')} }`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (
    value &&
    typeof value === 'object' &&
    '_bsontype' in value &&
    (value as { _bsontype: string })._bsontype === 'ObjectId'
  ) {
    return `ObjectId('${String(value)}')`;
  }
  if (value && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
