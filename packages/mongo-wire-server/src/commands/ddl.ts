import type { Document } from 'bson';
import { Query } from 'mingo';
import { validateCollectionName } from '../catalog.js';
import type { Collection } from '../collection.js';
import { CommandError } from '../errors.js';
import { formatKeyValue, indexIdentity, normalizeIndexSpec, sameKeyPattern, type IndexSpec } from '../indexes.js';
import { keyString } from '../keys.js';
import {
  collectionName,
  commandOptions,
  optionalDocument,
  optionalNumber,
  refuseInTransaction,
  type CommandContext,
  type CommandHandler,
} from './context.js';

function existing(ctx: CommandContext, name: string): Collection {
  const collection = ctx.view.collection(ctx.db, name);
  if (!collection) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  return collection;
}

const create: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  const options = commandOptions(ctx);
  if (options.viewOn !== undefined)
    throw new CommandError('IllegalOperation', 'views are not modeled by the test server');
  ctx.view.create(ctx.db, name, options);
  return { ok: 1 };
};

const drop: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  const collection = ctx.view.collection(ctx.db, name);
  const nIndexesWas = collection?.indexes.length ?? 0;
  // Since 7.0 dropping a missing collection succeeds (the drivers ignore NamespaceNotFound here anyway).
  ctx.view.drop(ctx.db, name);
  return collection ? { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 } : { ok: 1 };
};

const listCollections: CommandHandler = (ctx) => {
  const filter = optionalDocument(ctx.body, 'filter');
  const nameOnly = ctx.body.nameOnly === true;
  let infos = ctx.view
    .collectionNames(ctx.db)
    .sort()
    .map((name) => {
      const collection = ctx.view.collection(ctx.db, name) as Collection;
      return {
        name,
        type: 'collection',
        options: collection.options,
        info: { readOnly: false, uuid: collection.uuid },
        idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
      } as Document;
    });
  if (filter && Object.keys(filter).length > 0) {
    const query = new Query(filter);
    infos = infos.filter((info) => query.test(info));
  }
  if (nameOnly) infos = infos.map((info) => ({ name: info.name, type: info.type }));
  const cursor = optionalDocument(ctx.body, 'cursor');
  return {
    cursor: ctx.state.cursors.open(
      `${ctx.db}.$cmd.listCollections`,
      infos,
      cursor ? optionalNumber(cursor, 'batchSize') : undefined,
    ),
    ok: 1,
  };
};

const listDatabases: CommandHandler = (ctx) => {
  if (ctx.db !== 'admin')
    throw new CommandError('Unauthorized', 'listDatabases may only be run against the admin database.');
  const catalog = ctx.state.catalog;
  let databases: Document[] = catalog
    .databaseNames()
    .sort()
    .map((name) => {
      const docs = catalog
        .collectionNames(name)
        .reduce((sum, coll) => sum + (catalog.collection(name, coll)?.docs.size ?? 0), 0);
      return { name, sizeOnDisk: 4096 * (1 + docs), empty: false };
    });
  const filter = optionalDocument(ctx.body, 'filter');
  if (filter && Object.keys(filter).length > 0) {
    const query = new Query(filter);
    databases = databases.filter((db) => query.test(db));
  }
  if (ctx.body.nameOnly === true) return { databases: databases.map((db) => ({ name: db.name })), ok: 1 };
  const totalSize = databases.reduce((sum, db) => sum + (db.sizeOnDisk as number), 0);
  return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576), ok: 1 };
};

const dropDatabase: CommandHandler = (ctx) => {
  refuseInTransaction(ctx);
  ctx.state.catalog.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
};

const renameCollection: CommandHandler = (ctx) => {
  refuseInTransaction(ctx);
  if (ctx.db !== 'admin')
    throw new CommandError('Unauthorized', 'renameCollection may only be run against the admin database.');
  const split = (ns: unknown): [string, string] => {
    const text = String(ns);
    const dot = text.indexOf('.');
    if (dot <= 0) throw new CommandError('InvalidNamespace', `Invalid namespace specified '${text}'`);
    return [text.slice(0, dot), text.slice(dot + 1)];
  };
  const [fromDb, from] = split(ctx.body.renameCollection);
  const [toDb, to] = split(ctx.body.to);
  validateCollectionName(toDb, to);
  const catalog = ctx.state.catalog;
  const source = catalog.collection(fromDb, from);
  if (!source) throw new CommandError('NamespaceNotFound', 'Source collection does not exist');
  if (catalog.collection(toDb, to)) {
    if (ctx.body.dropTarget !== true) throw new CommandError('NamespaceExists', 'target namespace exists');
    catalog.drop(toDb, to);
  }
  catalog.drop(fromDb, from);
  catalog.install(source.renamed(toDb, to));
  return { ok: 1 };
};

const createIndexes: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  const raw = ctx.body.indexes as unknown;
  if (!Array.isArray(raw) || raw.length === 0)
    throw new CommandError('BadValue', 'Must specify at least one index to create');
  const specs = (raw as Document[]).map(normalizeIndexSpec);
  const createdCollectionAutomatically = !ctx.view.collection(ctx.db, name);
  const collection = ctx.view.forWrite(ctx.db, name) as Collection;
  const numIndexesBefore = collection.indexes.length;
  const toAdd: IndexSpec[] = [];
  for (const spec of specs) {
    const sameName = [...collection.indexes, ...toAdd].find((index) => index.name === spec.name);
    if (sameName) {
      if (indexIdentity(sameName) === indexIdentity(spec)) continue;
      const codeName =
        keyString(sameName.key) === keyString(spec.key) ? 'IndexOptionsConflict' : 'IndexKeySpecsConflict';
      throw new CommandError(
        codeName,
        `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName)}`,
      );
    }
    const sameKey = [...collection.indexes, ...toAdd].find((index) => sameKeyPattern(index, spec));
    if (sameKey) {
      throw new CommandError(
        'IndexOptionsConflict',
        `Index already exists with a different name: ${sameKey.name}. Requested key: ${formatKeyValue(spec.key)}`,
      );
    }
    toAdd.push(spec);
  }
  const added: string[] = [];
  try {
    for (const spec of toAdd) {
      collection.addIndex(spec);
      added.push(spec.name);
    }
  } catch (error) {
    for (const indexName of added) collection.dropIndex(indexName);
    throw error;
  }
  const reply: Document = {
    numIndexesBefore,
    numIndexesAfter: collection.indexes.length,
    createdCollectionAutomatically,
  };
  if (toAdd.length === 0) reply.note = 'all indexes already exist';
  return { ...reply, ok: 1 };
};

const listIndexes: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  const collection = existing(ctx, name);
  const cursor = optionalDocument(ctx.body, 'cursor');
  return {
    cursor: ctx.state.cursors.open(
      `${ctx.db}.${name}`,
      collection.indexes,
      cursor ? optionalNumber(cursor, 'batchSize') : undefined,
    ),
    ok: 1,
  };
};

const dropIndexes: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  if (!ctx.view.collection(ctx.db, name)) throw new CommandError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  const collection = ctx.view.forWrite(ctx.db, name, false) as Collection;
  const nIndexesWas = collection.indexes.length;
  const target = ctx.body.index as unknown;
  let names: string[];
  if (target === '*') {
    names = collection.indexes.filter((index) => index.name !== '_id_').map((index) => index.name);
  } else if (typeof target === 'string' || Array.isArray(target)) {
    names = typeof target === 'string' ? [target] : target.map(String);
    for (const indexName of names) {
      if (indexName === '_id_') throw new CommandError('InvalidOptions', 'cannot drop _id index');
      if (!collection.indexes.some((index) => index.name === indexName)) {
        throw new CommandError('IndexNotFound', `index not found with name [${indexName}]`);
      }
    }
  } else if (target && typeof target === 'object') {
    const found = collection.indexes.filter((index) => keyString(index.key) === keyString(target));
    if (found.length === 0)
      throw new CommandError('IndexNotFound', `can't find index with key: ${formatKeyValue(target as Document)}`);
    if (found.some((index) => index.name === '_id_')) throw new CommandError('InvalidOptions', 'cannot drop _id index');
    names = found.map((index) => index.name);
  } else {
    throw new CommandError('TypeMismatch', "'index' must be a string, an array of strings or a key pattern");
  }
  for (const indexName of names) collection.dropIndex(indexName);
  return { nIndexesWas, ok: 1 };
};

const collMod: CommandHandler = (ctx) => {
  const name = collectionName(ctx);
  existing(ctx, name);
  const collection = ctx.view.forWrite(ctx.db, name, false) as Collection;
  const options = commandOptions(ctx);
  const reply: Document = {};
  if (options.index !== undefined) {
    const change = options.index as Document;
    const index = collection.indexes.find((spec) =>
      change.name !== undefined ? spec.name === change.name : keyString(spec.key) === keyString(change.keyPattern),
    );
    if (!index)
      throw new CommandError(
        'IndexNotFound',
        `cannot find index ${JSON.stringify(change.name ?? change.keyPattern)} for ns ${ctx.db}.${name}`,
      );
    const updated: IndexSpec = { ...index };
    if (change.expireAfterSeconds !== undefined) {
      reply.expireAfterSeconds_old = index.expireAfterSeconds;
      reply.expireAfterSeconds_new = change.expireAfterSeconds;
      updated.expireAfterSeconds = change.expireAfterSeconds as number;
    }
    if (change.hidden !== undefined) {
      reply.hidden_old = index.hidden ?? false;
      reply.hidden_new = change.hidden;
      updated.hidden = change.hidden;
    }
    collection.indexes = collection.indexes.map((spec) => (spec === index ? updated : spec));
    delete options.index;
  }
  Object.assign(collection.options, options);
  collection.touchStructure();
  return { ...reply, ok: 1 };
};

export const ddlCommands: Record<string, CommandHandler> = {
  create,
  drop,
  listCollections,
  listDatabases,
  dropDatabase,
  renameCollection,
  createIndexes,
  listIndexes,
  dropIndexes,
  collMod,
};
