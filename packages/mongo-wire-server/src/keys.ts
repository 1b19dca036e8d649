// Canonical strings for BSON values, so equal values (as the server compares them for _id and unique keys) share a Map
// key.
import { EJSON, type Document } from 'bson';

export function keyString(value: unknown): string {
  return EJSON.stringify(value === undefined ? null : (value as Document), { relaxed: false });
}

/** Values at a dotted path; arrays along the path fan out (multikey), a missing path yields nothing. */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  return collect(doc, path.split('.'), 0);
}

function collect(value: unknown, parts: string[], at: number): unknown[] {
  if (at === parts.length) {
    if (Array.isArray(value)) return value.length === 0 ? [undefined] : value;
    return [value];
  }
  if (value === null || value === undefined || typeof value !== 'object') return [];
  const part = parts[at] as string;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part)) return collect(value[Number(part)], parts, at + 1);
    return value.flatMap((item) => collect(item, parts, at));
  }
  if (!(part in value)) return [];
  return collect((value as Record<string, unknown>)[part], parts, at + 1);
}

export function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function setPath(target: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Document = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    if (!isPlainObject(node[part])) node[part] = {};
    node = node[part] as Document;
  }
  node[parts[parts.length - 1] as string] = value;
}
