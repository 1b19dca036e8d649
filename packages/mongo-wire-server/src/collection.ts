// One collection: documents keyed by canonical _id, in insertion order, plus its indexes.
// Stored documents are never mutated in place (writes replace them), so a clone only copies maps.
import { UUID, type Document } from 'bson';
import { CommandError } from './errors.js';
import { formatKeyValue, ID_INDEX, IndexKeyer, type IndexSpec } from './indexes.js';
import { keyString } from './keys.js';

interface UniqueIndex {
  keyer: IndexKeyer;
  /** index key -> canonical _id of the document holding it */
  owners: Map<string, string>;
}

export class Collection {
  docs: Map<string, Document>;
  indexes: IndexSpec[];
  private unique: Map<string, UniqueIndex>;
  /** Bumped on every write; a transaction that changed the collection's structure commits only if it is unchanged. */
  version = 0;
  /** Bumped when indexes or options change; document-level transaction merges need it unchanged. */
  structureVersion = 0;
  /** Set on a transaction's copy: every document it writes, with the document it replaced (undefined: inserted). */
  journal: Map<string, Document | undefined> | undefined;

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Document = {},
    readonly uuid: UUID = new UUID(),
  ) {
    this.docs = new Map();
    this.indexes = [ID_INDEX];
    this.unique = new Map();
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  clone(): Collection {
    const copy = new Collection(this.db, this.name, { ...this.options }, this.uuid);
    copy.docs = new Map(this.docs);
    copy.indexes = [...this.indexes];
    copy.unique = new Map([...this.unique].map(([name, u]) => [name, { keyer: u.keyer, owners: new Map(u.owners) }]));
    copy.version = this.version;
    copy.structureVersion = this.structureVersion;
    return copy;
  }

  /** Same documents and indexes under another name (renameCollection). */
  renamed(db: string, name: string): Collection {
    const copy = new Collection(db, name, this.options, this.uuid);
    copy.docs = this.docs;
    copy.indexes = this.indexes;
    copy.unique = this.unique;
    return copy;
  }

  /** Takes over another collection's documents and indexes ($out). */
  adopt(other: Collection): void {
    this.docs = other.docs;
    this.indexes = other.indexes;
    this.unique = other.unique;
    this.structureVersion++;
  }

  /** Options or index specs changed in place (collMod). */
  touchStructure(): void {
    this.structureVersion++;
  }

  private touch(idKey: string): void {
    if (this.journal && !this.journal.has(idKey)) this.journal.set(idKey, this.docs.get(idKey));
  }

  /**
   * Applies a transaction's document writes at once: all their old keys are released before any new key is claimed,
   * so a transaction that swapped two unique values commits. Throws DuplicateKey (leaving a half-applied state:
   * callers apply it to a copy).
   */
  applyWrites(writes: Array<{ idKey: string; doc: Document | undefined }>): void {
    for (const { idKey } of writes) {
      const current = this.docs.get(idKey);
      if (current) this.releaseKeys(current, idKey);
    }
    for (const { idKey, doc } of writes) {
      if (!doc) continue;
      for (const [owners, keys] of this.claimsFor(doc, idKey)) for (const key of keys) owners.set(key, idKey);
    }
    for (const { idKey, doc } of writes) {
      if (doc) this.docs.set(idKey, doc);
      else this.docs.delete(idKey);
    }
  }

  get(id: unknown): Document | undefined {
    return this.docs.get(keyString(id));
  }

  all(): Document[] {
    return [...this.docs.values()];
  }

  insert(doc: Document): void {
    const idKey = keyString(doc._id);
    if (this.docs.has(idKey)) throw this.duplicate('_id_', { _id: 1 }, { _id: doc._id });
    const claims = this.claimsFor(doc, idKey);
    this.touch(idKey);
    this.docs.set(idKey, doc);
    for (const [owners, keys] of claims) for (const key of keys) owners.set(key, idKey);
  }

  replace(previous: Document, next: Document): void {
    const idKey = keyString(previous._id);
    const claims = this.claimsFor(next, idKey);
    this.touch(idKey);
    this.releaseKeys(previous, idKey);
    this.docs.set(idKey, next);
    for (const [owners, keys] of claims) for (const key of keys) owners.set(key, idKey);
  }

  remove(doc: Document): void {
    const idKey = keyString(doc._id);
    this.touch(idKey);
    this.releaseKeys(doc, idKey);
    this.docs.delete(idKey);
  }

  addIndex(spec: IndexSpec): void {
    if (spec.unique) {
      const keyer = new IndexKeyer(spec);
      const owners = new Map<string, string>();
      for (const [idKey, doc] of this.docs) {
        const keys = keyer.keysOf(doc);
        if (!keys) continue;
        for (const key of keys.keys) {
          const owner = owners.get(key);
          if (owner !== undefined && owner !== idKey)
            throw this.duplicate(spec.name, spec.key, keys.values.get(key) ?? {});
          owners.set(key, idKey);
        }
      }
      this.unique.set(spec.name, { keyer, owners });
    }
    this.indexes.push(spec);
    this.structureVersion++;
  }

  dropIndex(name: string): void {
    this.indexes = this.indexes.filter((spec) => spec.name !== name);
    this.unique.delete(name);
    this.structureVersion++;
  }

  /** Checks every unique index before anything changes, so a rejected write leaves no half-claimed keys. */
  private claimsFor(doc: Document, idKey: string): Array<[Map<string, string>, string[]]> {
    const claims: Array<[Map<string, string>, string[]]> = [];
    for (const { keyer, owners } of this.unique.values()) {
      const keys = keyer.keysOf(doc);
      if (!keys) continue;
      for (const key of keys.keys) {
        const owner = owners.get(key);
        if (owner !== undefined && owner !== idKey)
          throw this.duplicate(keyer.spec.name, keyer.spec.key, keys.values.get(key) ?? {});
      }
      claims.push([owners, keys.keys]);
    }
    return claims;
  }

  private releaseKeys(doc: Document, idKey: string): void {
    for (const { keyer, owners } of this.unique.values()) {
      const keys = keyer.keysOf(doc);
      if (!keys) continue;
      for (const key of keys.keys) if (owners.get(key) === idKey) owners.delete(key);
    }
  }

  private duplicate(indexName: string, keyPattern: Record<string, unknown>, keyValue: Document): CommandError {
    return new CommandError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${this.ns} index: ${indexName} dup key: ${formatKeyValue(keyValue)}`,
      { keyPattern, keyValue },
    );
  }
}
