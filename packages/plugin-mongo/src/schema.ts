// The seed's shapes in one place, shared by migrations, traits and validators so they cannot disagree.
import type { Db, Document, IndexDescription } from 'mongodb';

export interface IndexSpec {
  collection: string;
  name: string;
  key: Record<string, 1 | -1>;
  unique?: boolean;
  expireAfterSeconds?: number;
}

export const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

export const LABLET_COLLECTIONS = [
  'lablet_definitions',
  'lablet_instances',
  'worker_templates',
  'scaling_audit_events',
] as const;

/**
 * The seed's 001 indexes. Deviation: the seed creates `timestamp` twice on scaling_audit_events (plain, then
 * with a TTL). Both get the default name `timestamp_1`, so MongoDB rejects the second with IndexOptionsConflict
 * and the seed's script dies half-way. One TTL index on `timestamp` serves the same queries, so that is what
 * 001 creates (and a plain `timestamp_1` left by the seed's crashed run is replaced by it, and put back by down).
 */
export const LABLET_INDEXES: readonly IndexSpec[] = [
  { collection: 'lablet_definitions', name: 'state.name_1', key: { 'state.name': 1 } },
  {
    collection: 'lablet_definitions',
    name: 'state.name_1_state.version_1',
    key: { 'state.name': 1, 'state.version': 1 },
    unique: true,
  },
  { collection: 'lablet_instances', name: 'state.state_1', key: { 'state.state': 1 } },
  { collection: 'lablet_instances', name: 'state.worker_id_1', key: { 'state.worker_id': 1 } },
  { collection: 'lablet_instances', name: 'state.definition_id_1', key: { 'state.definition_id': 1 } },
  {
    collection: 'lablet_instances',
    name: 'state.state_1_state.timeslot_start_1',
    key: { 'state.state': 1, 'state.timeslot_start': 1 },
  },
  { collection: 'worker_templates', name: 'state.name_1', key: { 'state.name': 1 }, unique: true },
  {
    collection: 'scaling_audit_events',
    name: 'timestamp_1',
    key: { timestamp: 1 },
    expireAfterSeconds: ONE_YEAR_SECONDS,
  },
];

export const WORKERS = 'cml_workers';

export const WORKER_INDEX: IndexSpec = {
  collection: WORKERS,
  name: 'state.status_1_state.template_name_1',
  key: { 'state.status': 1, 'state.template_name': 1 },
};

/** The seed's 002 defaults, in the seed's order (fields are appended to `state` in this order). */
export const WORKER_DEFAULTS: readonly (readonly [field: string, value: unknown])[] = [
  ['template_name', null],
  ['declared_capacity', { cpu_cores: 48, memory_gb: 192, storage_gb: 500, max_nodes: 20 }],
  ['allocated_capacity', { cpu_cores: 0, memory_gb: 0, storage_gb: 0, max_nodes: 0 }],
  ['port_range_start', 2000],
  ['port_range_end', 9999],
  ['port_allocations', []],
  ['lablet_instance_ids', []],
];

export const WORKER_FIELDS = WORKER_DEFAULTS.map(([field]) => field);

/**
 * The per-document list of the `state` fields 002 added, as earlier releases wrote it INTO each worker. This
 * release keeps that list in the undo collection instead; 002's down still reads this field on workers an
 * earlier release migrated, and removes it.
 */
export const ADDED_BY_002 = '_tidemark_002_added';

/** Workers 002 must touch: a `state` object lacking at least one capacity field. */
export function workersMissingFields(): Document {
  return { state: { $type: 'object' }, $or: WORKER_FIELDS.map((f) => ({ [`state.${f}`]: { $exists: false } })) };
}

export async function collectionNames(db: Db): Promise<Set<string>> {
  const list = await db.listCollections({}, { nameOnly: true }).toArray();
  return new Set(list.map((c) => c.name));
}

export async function indexesOf(db: Db, collection: string): Promise<IndexDescription[]> {
  try {
    return (await db.collection(collection).listIndexes().toArray()) as IndexDescription[];
  } catch (error) {
    if (isNamespaceNotFound(error)) return [];
    throw error;
  }
}

export function isNamespaceNotFound(error: unknown): boolean {
  const e = error as { code?: unknown; codeName?: unknown } | null;
  return e?.code === 26 || e?.codeName === 'NamespaceNotFound';
}

export function sameKey(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.entries(a);
  const kb = Object.entries(b);
  return ka.length === kb.length && ka.every(([k, v], i) => kb[i]?.[0] === k && Number(kb[i]?.[1]) === Number(v));
}

/** An existing index that serves the spec: same key, same uniqueness, same TTL. */
export function satisfies(existing: IndexDescription, spec: IndexSpec): boolean {
  return (
    sameKey(existing.key as Record<string, unknown>, spec.key) &&
    !!existing.unique === !!spec.unique &&
    (existing.expireAfterSeconds ?? null) === (spec.expireAfterSeconds ?? null) &&
    existing.partialFilterExpression === undefined
  );
}

export type IndexStatus = { state: 'ok' } | { state: 'missing' } | { state: 'conflict'; existing: IndexDescription };

/** ok: an index serves the spec; conflict: the spec's name is taken by an index with other options. */
export function indexStatus(existing: readonly IndexDescription[], spec: IndexSpec): IndexStatus {
  if (existing.some((ix) => satisfies(ix, spec))) return { state: 'ok' };
  const clash = existing.find((ix) => ix.name === spec.name || sameKey(ix.key as Record<string, unknown>, spec.key));
  return clash ? { state: 'conflict', existing: clash } : { state: 'missing' };
}
