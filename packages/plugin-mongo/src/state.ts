// A database's observable state as plain data (collections with their options, indexes and documents;
// Tidemark's bookkeeping left out), and its fixture form: one relaxed-EJSON file per collection, readable
// and diffable. EJSON comes from the caller's own `mongodb` package, loaded only when fixtures are used.
import { createError } from '@tidemark/core';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db, Document } from 'mongodb';
import { DEFAULT_NAMES, isBookkeeping, type CollectionNames } from './names.js';

export interface IndexState {
  name: string;
  key: Record<string, number>;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Document;
}

export interface CollectionState {
  /** Collection options (validator...) when there are any. */
  options?: Document;
  /** Every index except `_id_`, by name. */
  indexes: IndexState[];
  /** Sorted by _id. */
  documents: Document[];
}

/** Collections by name, in name order. */
export type MongoState = Record<string, CollectionState>;

export interface ReadStateOptions {
  names?: CollectionNames;
  /** Keep exact BSON number types (Int32/Double/Long wrappers) instead of JS numbers. */
  exact?: boolean;
}

const INDEX_FIELDS = ['unique', 'sparse', 'expireAfterSeconds', 'partialFilterExpression'] as const;

export async function readState(db: Db, options: ReadStateOptions = {}): Promise<MongoState> {
  const names = options.names ?? DEFAULT_NAMES;
  const infos = (await db.listCollections({}, { nameOnly: false }).toArray()) as {
    name: string;
    type?: string;
    options?: Document;
  }[];
  const state: MongoState = {};
  for (const info of infos
    .filter((c) => c.type !== 'view' && !isBookkeeping(c.name, names))
    .sort((a, b) => a.name.localeCompare(b.name))) {
    const indexes = (await db.collection(info.name).listIndexes().toArray())
      .filter((ix) => ix.name !== '_id_')
      .map((ix) => {
        const out: IndexState = { name: String(ix.name), key: { ...(ix.key as Record<string, number>) } };
        for (const f of INDEX_FIELDS)
          if (ix[f] !== undefined && ix[f] !== false) (out as unknown as Document)[f] = ix[f];
        if (out.key) for (const k of Object.keys(out.key)) out.key[k] = Number(out.key[k]);
        return out;
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    const findOptions = options.exact ? { promoteValues: false, promoteLongs: false } : {};
    const documents = await db
      .collection(info.name)
      .find({}, { ...findOptions, batchSize: 1000 })
      .sort({ _id: 1 })
      .toArray();
    const opts = info.options ?? {};
    state[info.name] = { ...(Object.keys(opts).length > 0 ? { options: opts } : {}), indexes, documents };
  }
  return state;
}

/** Creates every collection of the state (which must not exist yet) with its options, indexes and documents. */
export async function writeStateToDb(db: Db, state: MongoState): Promise<void> {
  for (const [name, c] of Object.entries(state)) {
    await db.createCollection(name, c.options ?? {});
    if (c.indexes.length > 0) {
      await db
        .collection(name)
        .createIndexes(
          c.indexes.map(({ name: n, key, ...rest }) => ({ name: n, key: key as Record<string, 1 | -1>, ...rest })),
        );
    }
    if (c.documents.length > 0) await db.collection(name).insertMany(c.documents.map((d) => ({ ...d })));
  }
}

async function ejson() {
  const { BSON } = await import('mongodb');
  return BSON.EJSON;
}

/** Exact text of a state (canonical EJSON, key order kept): two states are equal when their texts are. */
export async function stateText(state: MongoState): Promise<string> {
  return (await ejson()).stringify(state, { relaxed: false });
}

/** Writes `<dir>/<collection>.json`, one relaxed-EJSON file per collection. */
export async function writeFixture(state: MongoState, dir: string): Promise<void> {
  const EJSON = await ejson();
  await mkdir(dir, { recursive: true });
  for (const [name, c] of Object.entries(state)) {
    await writeFile(join(dir, `${name}.json`), `${EJSON.stringify(c, undefined, 2, { relaxed: true })}\n`);
  }
}

export async function loadFixture(dir: string): Promise<MongoState> {
  const EJSON = await ejson();
  const state: MongoState = {};
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    let parsed: CollectionState;
    try {
      parsed = EJSON.parse(text, { relaxed: true }) as CollectionState;
    } catch (error) {
      throw createError('plugin-mongo', `fixture ${join(dir, file)}: not valid EJSON`, { cause: error });
    }
    if (!Array.isArray(parsed.documents) || !Array.isArray(parsed.indexes)) {
      throw createError('plugin-mongo', `fixture ${join(dir, file)}: needs "indexes" and "documents" arrays`);
    }
    state[file.slice(0, -'.json'.length)] = parsed;
  }
  return state;
}

export async function captureToDir(db: Db, dir: string, names: CollectionNames = DEFAULT_NAMES): Promise<void> {
  await writeFixture(await readState(db, { names }), dir);
}
