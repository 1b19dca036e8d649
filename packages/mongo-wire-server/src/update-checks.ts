// Type checks the server makes before applying update operators, which mingo skips silently
// (e.g. $inc on a string, $push on a non-array, $set through a scalar).
import type { Document } from 'bson';
import { CommandError } from './errors.js';
import { isPlainObject, keyString } from './keys.js';

const NUMERIC = new Set(['$inc', '$mul']);
const ARRAY = new Set(['$push', '$addToSet', '$pull', '$pullAll', '$pop']);
const WRITING = new Set(['$set', '$inc', '$mul', '$min', '$max', '$push', '$addToSet', '$currentDate', '$setOnInsert']);

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (typeof value === 'object' && '_bsontype' in value)
    return String((value as { _bsontype: string })._bsontype).toLowerCase();
  return typeof value === 'object' ? 'object' : typeof value;
}

function isNumeric(value: unknown): boolean {
  if (typeof value === 'number') return true;
  const type =
    value && typeof value === 'object' && '_bsontype' in value ? (value as { _bsontype: string })._bsontype : '';
  return type === 'Long' || type === 'Int32' || type === 'Double' || type === 'Decimal128';
}

/** Walks a plain dotted path; `undefined` target means "missing", `blocked` names a scalar the path runs through. */
function resolve(
  doc: Document,
  path: string,
): { found: boolean; value?: unknown; blocked?: { at: string; value: unknown } } | null {
  const parts = path.split('.');
  let node: unknown = doc;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part.startsWith('$')) return null; // positional paths: left to mingo
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(part)) return null;
      node = node[Number(part)];
      if (node === undefined) return { found: false };
      continue;
    }
    if (!isPlainObject(node)) return { found: false, blocked: { at: parts.slice(0, i).join('.'), value: node } };
    if (!(part in node)) return { found: false };
    node = node[part];
  }
  return { found: true, value: node };
}

export function checkOperandTypes(doc: Document, modifier: Document): void {
  const where = `{_id: ${keyString(doc._id)}}`;
  for (const [op, fields] of Object.entries(modifier)) {
    if (!isPlainObject(fields)) continue;
    for (const [path, operand] of Object.entries(fields)) {
      const at = resolve(doc, path);
      if (!at) continue;
      if (at.blocked && WRITING.has(op)) {
        throw new CommandError(
          'PathNotViable',
          `Cannot create field '${path.slice(at.blocked.at.length + 1).split('.')[0]}' in element {${at.blocked.at}: ${keyString(at.blocked.value)}}`,
        );
      }
      if (NUMERIC.has(op)) {
        if (!isNumeric(operand))
          throw new CommandError(
            'TypeMismatch',
            `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${keyString(operand)}}`,
          );
        if (at.found && !isNumeric(at.value)) {
          throw new CommandError(
            'TypeMismatch',
            `Cannot apply ${op} to a value of non-numeric type. ${where} has the field '${path}' of non-numeric type ${typeName(at.value)}`,
          );
        }
      }
      if (ARRAY.has(op) && at.found && !Array.isArray(at.value)) {
        if (op === '$pop')
          throw new CommandError(
            'TypeMismatch',
            `Path '${path}' contains an element of non-array type '${typeName(at.value)}'`,
          );
        if (op === '$pull' || op === '$pullAll')
          throw new CommandError('BadValue', `Cannot apply ${op} to a non-array value`);
        throw new CommandError(
          'BadValue',
          `The field '${path}' must be an array but is of type ${typeName(at.value)} in document ${where}`,
        );
      }
    }
  }
}
