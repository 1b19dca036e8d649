// Applies update documents the way the server does, delegating the operators themselves to mingo.
import { ObjectId, type Document } from 'bson';
import { Aggregator, update as mingoUpdate, updateMany as mingoUpdateMany } from 'mingo';
import { CommandError } from './errors.js';
import { isPlainObject, keyString, setPath } from './keys.js';
import { checkOperandTypes } from './update-checks.js';
import { cloneValue, sameValue } from './values.js';

export function cloneDocument(doc: Document): Document {
  return cloneValue(doc);
}

export function sameDocument(a: Document, b: Document): boolean {
  return sameValue(a, b);
}

export type UpdateSpec = Document | Document[];

export function isOperatorUpdate(u: UpdateSpec): u is Document {
  return !Array.isArray(u) && Object.keys(u).some((k) => k.startsWith('$'));
}

export function validateUpdate(u: unknown): asserts u is UpdateSpec {
  if (Array.isArray(u)) return;
  if (!isPlainObject(u))
    throw new CommandError('FailedToParse', 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  const operators = keys.filter((k) => k.startsWith('$'));
  if (operators.length > 0 && operators.length !== keys.length) {
    throw new CommandError('FailedToParse', 'Update document mixes update operators and plain fields');
  }
}

export interface ApplyOptions {
  arrayFilters?: Document[];
  /** True when the update builds an upserted document: $setOnInsert applies. */
  inserting?: boolean;
  /** The statement's filter: resolves the positional `$` operator. */
  condition?: Document;
}

function usesPositional(modifier: Document): boolean {
  return Object.values(modifier).some(
    (fields) => isPlainObject(fields) && Object.keys(fields).some((path) => /\.\$(\.|$)/.test(path)),
  );
}

/** Returns the updated copy of `doc` (never mutates it). */
export function applyUpdate(doc: Document, u: UpdateSpec, options: ApplyOptions = {}): Document {
  let next: Document;
  if (Array.isArray(u)) {
    const out = new Aggregator(u as Document[]).run([cloneDocument(doc)]);
    next = (out[0] as Document | undefined) ?? {};
  } else if (isOperatorUpdate(u)) {
    next = cloneDocument(doc);
    const { $setOnInsert, ...rest } = u;
    for (const op of Object.keys(rest)) {
      if (!isPlainObject(rest[op]))
        throw new CommandError(
          'FailedToParse',
          `Modifiers operate on fields but we found type ${typeof rest[op]} instead. For example: {$mod: {<field>: ...}} not {${op}: ${String(rest[op])}}`,
        );
    }
    checkOperandTypes(doc, rest);
    if (options.inserting && isPlainObject($setOnInsert)) checkOperandTypes(doc, { $set: $setOnInsert });
    if (Object.keys(rest).length > 0) {
      const condition = usesPositional(rest) ? options.condition : undefined;
      mingoUpdate(next, rest, options.arrayFilters, condition, { cloneMode: 'deep' });
    }
    if (options.inserting && isPlainObject($setOnInsert))
      mingoUpdate(next, { $set: $setOnInsert }, undefined, undefined, { cloneMode: 'deep' });
  } else {
    if (Object.keys(u).some((k) => k.startsWith('$')))
      throw new CommandError('FailedToParse', 'The dollar ($) prefixed field in replacement is not valid for storage');
    const { _id, ...fields } = u as Document;
    if (_id !== undefined && doc._id !== undefined && keyString(_id) !== keyString(doc._id)) {
      throw immutableId();
    }
    next = { _id: _id ?? doc._id, ...fields };
    if (next._id === undefined) delete next._id;
  }
  if (doc._id !== undefined && keyString(next._id) !== keyString(doc._id)) throw immutableId();
  return idFirst(next);
}

/**
 * The updated copies of many documents at once, or null when the batch fails (the caller then goes document by
 * document, so the documents before the failing one are still updated, as on the server). mingo builds its operator
 * context per call, which dominates a per-document loop; one call for the whole batch avoids that.
 */
export function applyUpdateToMany(docs: Document[], u: UpdateSpec, options: ApplyOptions = {}): Document[] | null {
  if (docs.length < 2 || !isOperatorUpdate(u)) return null;
  const { $setOnInsert: _ignored, ...modifier } = u as Document;
  if (Object.keys(modifier).length === 0) return null;
  for (const op of Object.keys(modifier)) if (!isPlainObject(modifier[op])) return null;
  try {
    for (const doc of docs) checkOperandTypes(doc, modifier);
  } catch {
    return null;
  }
  const copies = docs.map(cloneDocument);
  try {
    const condition = usesPositional(modifier) ? (options.condition ?? {}) : {};
    mingoUpdateMany(copies, condition, modifier, { arrayFilters: options.arrayFilters, cloneMode: 'deep' });
  } catch {
    return null;
  }
  const results: Document[] = [];
  for (let i = 0; i < copies.length; i++) {
    const next = copies[i] as Document;
    if (keyString(next._id) !== keyString((docs[i] as Document)._id)) return null;
    results.push(idFirst(next));
  }
  return results;
}

function immutableId(): CommandError {
  return new CommandError(
    'ImmutableField',
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );
}

export function idFirst(doc: Document): Document {
  if (doc._id === undefined) return { _id: new ObjectId(), ...doc };
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

/**
 * The document an upsert starts from: the filter's equality conditions (`{a: 1}`, `{a: {$eq: 1}}`, `$and` of those).
 */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  collectEqualities(filter, seed);
  return seed;
}

function collectEqualities(filter: Document, seed: Document): void {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(condition)) {
      for (const part of condition) if (isPlainObject(part)) collectEqualities(part, seed);
      continue;
    }
    if (field.startsWith('$')) continue;
    if (isPlainObject(condition) && Object.keys(condition).some((k) => k.startsWith('$'))) {
      if ('$eq' in condition) setPath(seed, field, condition.$eq);
      continue;
    }
    if (condition instanceof RegExp) continue;
    setPath(seed, field, condition);
  }
}
