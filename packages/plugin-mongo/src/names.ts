// Where Tidemark keeps its own bookkeeping inside the target database. `migrations` is the seed's name.
export interface CollectionNames {
  /** The ledger: one document per migration (the seed's `{ name, applied_at }` plus checksum, duration, by). */
  ledger: string;
  /** The lease lock document. */
  lock: string;
  /** Checkpoints of resumable migrations. */
  checkpoints: string;
  /** Run-level snapshots taken by the snapshot guard. */
  snapshots: string;
  /** What each migration's `up` added, so its `down` removes exactly that. */
  undo: string;
}

export const DEFAULT_NAMES: CollectionNames = {
  ledger: 'migrations',
  lock: 'migrations_lock',
  checkpoints: 'migrations_checkpoints',
  snapshots: '_tidemark_snapshots',
  undo: '_tidemark_undo',
};

export function resolveNames(names: Partial<CollectionNames> = {}): CollectionNames {
  return { ...DEFAULT_NAMES, ...names };
}

/** Collections that are bookkeeping, not application data (left out of fixtures and state comparisons). */
export function isBookkeeping(collection: string, names: CollectionNames = DEFAULT_NAMES): boolean {
  return (
    collection.startsWith('system.') || collection.startsWith('_tidemark') || Object.values(names).includes(collection)
  );
}
