// find-style selection on a collection's documents, delegated to mingo.
import type { Document } from 'bson';
import { find as mingoFind, Query } from 'mingo';
import type { Collection } from './collection.js';
import { toCommandError } from './errors.js';

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

export function select(collection: Collection | undefined, options: SelectOptions): Document[] {
  if (!collection) return [];
  try {
    const projection = options.projection && Object.keys(options.projection).length > 0 ? options.projection : undefined;
    let cursor = mingoFind(collection.all(), options.filter ?? {}, projection);
    const sort = cleanSort(options.sort);
    if (sort) cursor = cursor.sort(sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit) cursor = cursor.limit(Math.abs(options.limit));
    return cursor.all() as Document[];
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
