// Where collections live. Commands see the catalog through a CatalogView: the global one, or a transaction's
// copy-on-write overlay that is published on commit and thrown away on abort.
import type { Document } from 'bson';
import { Collection } from './collection.js';
import { CommandError } from './errors.js';

export interface CatalogView {
  collection(db: string, name: string): Collection | undefined;
  /** The collection to modify; created implicitly (as inserts and upserts do) unless `autoCreate` is false. */
  forWrite(db: string, name: string, autoCreate?: boolean): Collection | undefined;
  create(db: string, name: string, options: Document): Collection;
  drop(db: string, name: string): boolean;
  collectionNames(db: string): string[];
  databaseNames(): string[];
  readonly inTransaction: boolean;
}

export function validateCollectionName(db: string, name: unknown): asserts name is string {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.includes('\0') ||
    name.startsWith('.') ||
    name.includes('$')
  ) {
    throw new CommandError('InvalidNamespace', `Invalid collection name: ${db}.${String(name)}`);
  }
  if (name.startsWith('system.') && !['system.js', 'system.views', 'system.profile'].includes(name)) {
    throw new CommandError('InvalidNamespace', `Invalid system namespace: ${db}.${name}`);
  }
}

export class Catalog implements CatalogView {
  private readonly dbs = new Map<string, Map<string, Collection>>();
  readonly inTransaction = false;

  collection(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  forWrite(db: string, name: string, autoCreate = true): Collection | undefined {
    let collection = this.collection(db, name);
    if (!collection) {
      if (!autoCreate) return undefined;
      validateCollectionName(db, name);
      collection = new Collection(db, name);
      this.install(collection);
    }
    collection.version++;
    return collection;
  }

  create(db: string, name: string, options: Document): Collection {
    validateCollectionName(db, name);
    if (this.collection(db, name))
      throw new CommandError('NamespaceExists', `Collection ${db}.${name} already exists.`);
    const collection = new Collection(db, name, options);
    this.install(collection);
    return collection;
  }

  drop(db: string, name: string): boolean {
    const collections = this.dbs.get(db);
    if (!collections?.delete(name)) return false;
    if (collections.size === 0) this.dbs.delete(db);
    return true;
  }

  install(collection: Collection): void {
    let collections = this.dbs.get(collection.db);
    if (!collections) this.dbs.set(collection.db, (collections = new Map()));
    collections.set(collection.name, collection);
  }

  collectionNames(db: string): string[] {
    return [...(this.dbs.get(db)?.keys() ?? [])];
  }

  databaseNames(): string[] {
    return [...this.dbs.keys()];
  }

  dropDatabase(db: string): void {
    this.dbs.delete(db);
  }
}

interface OverlayEntry {
  db: string;
  name: string;
  /** The transaction's copy; null when the transaction dropped the collection (or it does not exist). */
  current: Collection | null;
  base: Collection | undefined;
  baseVersion: number;
  baseStructureVersion: number;
}

function writeConflict(db: string, name: string): CommandError {
  return new CommandError(
    'WriteConflict',
    `WriteConflict error: this operation conflicted with another operation on ${db}.${name}. Please retry your operation or multi-document transaction.`,
    {},
    ['TransientTransactionError'],
  );
}

/**
 * A transaction's view: the first write to a collection copies it (documents are immutable, so this copies two maps)
 * and journals every document the transaction writes; reads of collections it has not written see committed data.
 * Commit merges the journaled documents into the committed collection if none of them changed meanwhile (document-level
 * conflicts, like the server's); a transaction that created, dropped or re-indexed a collection publishes its whole
 * copy,
 * which needs the collection untouched since. Otherwise commit fails with WriteConflict (TransientTransactionError), so
 * the driver's withTransaction retries.
 */
export class TransactionView implements CatalogView {
  private readonly overlay = new Map<string, OverlayEntry>();
  readonly inTransaction = true;

  constructor(private readonly global: Catalog) {}

  private entry(db: string, name: string): OverlayEntry | undefined {
    return this.overlay.get(`${db}.${name}`);
  }

  private track(db: string, name: string): OverlayEntry {
    let entry = this.entry(db, name);
    if (!entry) {
      const base = this.global.collection(db, name);
      const current = base ? base.clone() : null;
      if (current) current.journal = new Map();
      entry = {
        db,
        name,
        current,
        base,
        baseVersion: base?.version ?? 0,
        baseStructureVersion: base?.structureVersion ?? 0,
      };
      this.overlay.set(`${db}.${name}`, entry);
    }
    return entry;
  }

  collection(db: string, name: string): Collection | undefined {
    const entry = this.entry(db, name);
    if (entry) return entry.current ?? undefined;
    return this.global.collection(db, name);
  }

  forWrite(db: string, name: string, autoCreate = true): Collection | undefined {
    const entry = this.track(db, name);
    if (!entry.current) {
      if (!autoCreate) return undefined;
      validateCollectionName(db, name);
      entry.current = new Collection(db, name);
    }
    return entry.current;
  }

  create(db: string, name: string, options: Document): Collection {
    validateCollectionName(db, name);
    if (this.collection(db, name))
      throw new CommandError('NamespaceExists', `Collection ${db}.${name} already exists.`);
    const entry = this.track(db, name);
    entry.current = new Collection(db, name, options);
    return entry.current;
  }

  drop(db: string, name: string): boolean {
    if (!this.collection(db, name)) return false;
    this.track(db, name).current = null;
    return true;
  }

  collectionNames(db: string): string[] {
    const names = new Set(this.global.collectionNames(db));
    for (const entry of this.overlay.values()) {
      if (entry.db !== db) continue;
      if (entry.current) names.add(entry.name);
      else names.delete(entry.name);
    }
    return [...names];
  }

  databaseNames(): string[] {
    const names = new Set(this.global.databaseNames());
    for (const entry of this.overlay.values()) if (entry.current) names.add(entry.db);
    return [...names].filter((db) => this.collectionNames(db).length > 0);
  }

  /** A copy that only had documents written (same collection, same indexes) merges document by document. */
  private mergeable(entry: OverlayEntry, now: Collection | undefined): boolean {
    const { current, base } = entry;
    return (
      current !== null &&
      base !== undefined &&
      now !== undefined &&
      current.journal !== undefined &&
      current.uuid.equals(base.uuid) &&
      now.uuid.equals(base.uuid) &&
      current.structureVersion === entry.baseStructureVersion &&
      now.structureVersion === entry.baseStructureVersion
    );
  }

  /** Publishes every change atomically, or none (WriteConflict). */
  commit(): void {
    const published: Collection[] = [];
    const dropped: OverlayEntry[] = [];
    for (const entry of this.overlay.values()) {
      const now = this.global.collection(entry.db, entry.name);
      if (now && this.mergeable(entry, now)) {
        const journal = entry.current?.journal as Map<string, Document | undefined>;
        const writes: Array<{ idKey: string; doc: Document | undefined }> = [];
        for (const [idKey, original] of journal) {
          if (now.docs.get(idKey) !== original) throw writeConflict(entry.db, entry.name);
          writes.push({ idKey, doc: entry.current?.docs.get(idKey) });
        }
        if (writes.length === 0) continue;
        const merged = now.clone();
        try {
          merged.applyWrites(writes);
        } catch {
          throw writeConflict(entry.db, entry.name);
        }
        merged.version = now.version + 1;
        published.push(merged);
        continue;
      }
      if (now !== entry.base || (now?.version ?? 0) !== entry.baseVersion) throw writeConflict(entry.db, entry.name);
      if (entry.current) {
        entry.current.journal = undefined;
        entry.current.version = (now?.version ?? 0) + 1;
        published.push(entry.current);
      } else if (now) {
        dropped.push(entry);
      }
    }
    for (const collection of published) this.global.install(collection);
    for (const entry of dropped) this.global.drop(entry.db, entry.name);
  }
}
