// Structural copy and equality of stored BSON values, without a serialize/deserialize round trip (hot in updateMany).
import type { Document } from 'bson';
import { keyString } from './keys.js';

function isBsonValue(value: object): value is { _bsontype: string; equals?: (other: unknown) => boolean } {
  return '_bsontype' in value;
}

/**
 * Copies plain objects, arrays and dates; BSON value objects (ObjectId, Long, Binary, ...) are never mutated, so
 * shared.
 */
export function cloneValue<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (value instanceof RegExp || isBsonValue(value)) return value;
  const copy: Document = {};
  for (const key of Object.keys(value)) copy[key] = cloneValue((value as Document)[key]);
  return copy as T;
}

/** Equality as BSON storage sees it: same fields in the same order, same values. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameValue(item, b[i]));
  }
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (isBsonValue(a) || isBsonValue(b)) {
    if (!isBsonValue(a) || !isBsonValue(b) || a._bsontype !== b._bsontype) return false;
    return typeof a.equals === 'function' ? a.equals(b) : keyString(a) === keyString(b);
  }
  if (a instanceof RegExp || b instanceof RegExp) return String(a) === String(b);
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key, i) => key === bKeys[i] && sameValue((a as Document)[key], (b as Document)[key]));
}
