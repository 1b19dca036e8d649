// What a migration's `up` created or replaced, so its `down` removes exactly that and puts back what was
// there. Entries accumulate with $addToSet: a retried `up` that finds its own earlier work keeps the record.
import type { Db, IndexDescription } from 'mongodb';
import { collectionNames, indexesOf, indexStatus, type IndexSpec } from './schema.js';

export interface UndoRecord {
  _id: string;
  created_collections?: string[];
  created_indexes?: { collection: string; name: string }[];
  replaced_indexes?: { collection: string; index: IndexDescription }[];
}

export class UndoLog {
  constructor(
    private readonly db: Db,
    private readonly collection: string,
    private readonly migrationId: string,
  ) {}

  private get store() {
    return this.db.collection<UndoRecord>(this.collection);
  }

  async read(): Promise<UndoRecord | null> {
    return this.store.findOne({ _id: this.migrationId });
  }

  async add(field: 'created_collections' | 'created_indexes' | 'replaced_indexes', value: unknown): Promise<void> {
    await this.store.updateOne({ _id: this.migrationId }, { $addToSet: { [field]: value } } as never, { upsert: true });
  }

  async clear(): Promise<void> {
    await this.store.deleteOne({ _id: this.migrationId });
  }

  /** Creates the collection unless it exists; records that it did. */
  async ensureCollection(name: string): Promise<void> {
    if ((await collectionNames(this.db)).has(name)) return;
    await this.add('created_collections', name);
    try {
      await this.db.createCollection(name);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 48) throw error; // NamespaceExists: created meanwhile
    }
  }

  /**
   * Creates the index unless one serves it; an index in its way (same name or key, other options) is replaced and
   * recorded.
   */
  async ensureIndex(spec: IndexSpec): Promise<void> {
    await this.ensureCollection(spec.collection);
    const status = indexStatus(await indexesOf(this.db, spec.collection), spec);
    if (status.state === 'ok') return;
    if (status.state === 'conflict') {
      const { v: _v, ns: _ns, ...index } = status.existing as IndexDescription & { v?: unknown; ns?: unknown };
      await this.add('replaced_indexes', { collection: spec.collection, index });
      await this.db.collection(spec.collection).dropIndex(index.name!);
    }
    await this.add('created_indexes', { collection: spec.collection, name: spec.name });
    await this.db.collection(spec.collection).createIndex(spec.key, {
      name: spec.name,
      ...(spec.unique ? { unique: true } : {}),
      ...(spec.expireAfterSeconds === undefined ? {} : { expireAfterSeconds: spec.expireAfterSeconds }),
    });
  }

  /** Drops the indexes this migration created and recreates those it replaced. */
  async undoIndexes(record: UndoRecord | null): Promise<void> {
    const existing = await collectionNames(this.db);
    for (const { collection, name } of record?.created_indexes ?? []) {
      if (!existing.has(collection)) continue;
      const present = await indexesOf(this.db, collection);
      if (present.some((ix) => ix.name === name)) await this.db.collection(collection).dropIndex(name);
    }
    for (const { collection, index } of record?.replaced_indexes ?? []) {
      const { key, ...options } = index;
      await this.db.collection(collection).createIndex(key, options);
    }
  }
}
