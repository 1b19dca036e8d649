// find-style selection on a collection's documents. Matching, sorting and projection are mingo's; this file only
// picks the candidates (an `_id` equality or `$in` is a direct lookup, like the server's _id index) and stops early
// when no sort needs every match.
import type { Document } from 'bson';
import { find as mingoFind, Query } from 'mingo';
import type { Collection } from './collection.js';
import { toCommandError } from './errors.js';
import { isPlainObject } from './keys.js';

export interface SelectOptions {
  filter?: Document;
  sort?: Document;
  skip?: number;
  limit?: number;
  projection?: Document;
}

function cleanSort(sort: Document | undefined): Record<string, 1 | -1> | undefined {
  if (!sort) return undefined;
  const entries = Object.entries(sort).filter(([field]) => field !== '$natural');
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([field, direction]) => [field, Number(direction) < 0 ? -1 : 1]));
}

function isLiteral(value: unknown): boolean {
  if (value instanceof RegExp) return false;
  if (isPlainObject(value)) return !Object.keys(value).some((k) => k.startsWith('$'));
  return true;
}

/** Documents that can match, in natural order: an `_id` lookup when the filter pins `_id`, else every document. */
function candidates(collection: Collection, filter: Document): Iterable<Document> {
  const id = filter._id as unknown;
  if (id === undefined) return collection.docs.values();
  let ids: unknown[] | undefined;
  if (isLiteral(id)) ids = [id];
  else if (isPlainObject(id) && Object.keys(id).length === 1 && '$eq' in id && isLiteral(id.$eq)) ids = [id.$eq];
  else if (isPlainObject(id) && Object.keys(id).length === 1 && Array.isArray(id.$in) && id.$in.every(isLiteral))
    ids = id.$in as unknown[];
  if (!ids) return collection.docs.values();
  const found = new Set<Document>();
  for (const value of ids) {
    const doc = collection.get(value);
    if (doc) found.add(doc);
  }
  if (found.size <= 1) return found;
  // several ids: natural order, as a scan would give
  return [...collection.docs.values()].filter((doc) => found.has(doc));
}

export function select(collection: Collection | undefined, options: SelectOptions): Document[] {
  if (!collection) return [];
  try {
    const filter = options.filter ?? {};
    const query = Object.keys(filter).length > 0 ? new Query(filter) : undefined;
    const sort = cleanSort(options.sort);
    const skip = options.skip ?? 0;
    const limit = options.limit ? Math.abs(options.limit) : Infinity;
    const matched: Document[] = [];
    // without a sort the first skip+limit matches are the answer
    const enough = sort ? Infinity : skip + limit;
    for (const doc of candidates(collection, filter)) {
      if (query && !query.test(doc)) continue;
      matched.push(doc);
      if (matched.length >= enough) break;
    }
    let selected: Document[];
    if (sort) {
      let cursor = mingoFind(matched, {}).sort(sort);
      if (skip) cursor = cursor.skip(skip);
      if (limit !== Infinity) cursor = cursor.limit(limit);
      selected = cursor.all() as Document[];
    } else {
      selected = skip || limit !== Infinity ? matched.slice(skip, skip + limit) : matched;
    }
    const projection =
      options.projection && Object.keys(options.projection).length > 0 ? options.projection : undefined;
    return projection ? (mingoFind(selected, {}, projection).all() as Document[]) : selected;
  } catch (error) {
    throw toCommandError(error);
  }
}

export function matcher(filter: Document | undefined): Query {
  try {
    return new Query(filter ?? {});
  } catch (error) {
    throw toCommandError(error);
  }
}

export function project(doc: Document, projection: Document | undefined): Document {
  if (!projection || Object.keys(projection).length === 0) return doc;
  return (mingoFind([doc], {}, projection).all()[0] as Document | undefined) ?? doc;
}
