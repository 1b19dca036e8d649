// A small reference plugin on an in-memory document: every core feature the laws exercise (trait-gated and
// always-run steps, a DAG, an irreversible step rolled back by a snapshot guard), with nothing else around.
import {
  defineGuard,
  defineMigration,
  definePlugin,
  defineTrait,
  memoryLedger,
  type MemoryLedger,
  type Plugin,
} from '@tidemark/core';

export interface RefRecord {
  TopazID?: string | number;
  topaz_id?: number | string | null;
  tags?: string | string[];
  renamed?: true;
  tagsSplit?: true;
}

export interface RefDoc {
  schemaVersion?: number;
  records: RefRecord[];
}

export interface RefTarget {
  name: string;
  doc: RefDoc;
  ledger: MemoryLedger;
  snapshots: Map<string, RefDoc>;
}

export function refTarget(doc: RefDoc, name = 'ref'): RefTarget {
  return { name, doc: structuredClone(doc), ledger: memoryLedger(), snapshots: new Map() };
}

const legacyKey = defineTrait<RefTarget>({
  id: 'legacy-topaz-key',
  title: 'records keyed TopazID',
  fixes: ['002_rename_topaz_id'],
  async detect(t) {
    const n = t.doc.records.filter((r) => 'TopazID' in r).length;
    return n > 0 ? { summary: `${n} record(s) use TopazID`, details: { count: n } } : null;
  },
});

const stringIds = defineTrait<RefTarget>({
  id: 'non-integer-ids',
  title: 'ids stored as strings or floats',
  fixes: ['003_integer_ids'],
  async detect(t) {
    const bad = t.doc.records.filter((r) => {
      const v = r.TopazID ?? r.topaz_id;
      return v !== undefined && v !== null && !Number.isInteger(v);
    }).length;
    return bad > 0 ? { summary: `${bad} non-integer id(s)`, details: { count: bad } } : null;
  },
});

const csvTags = defineTrait<RefTarget>({
  id: 'csv-tags',
  title: 'tags stored as one comma-separated string',
  fixes: ['004_tags_array'],
  async detect(t) {
    const n = t.doc.records.filter((r) => typeof r.tags === 'string').length;
    return n > 0 ? { summary: `${n} record(s) with string tags` } : null;
  },
});

export const referenceMigrations = [
  defineMigration<RefTarget>({
    id: '001_schema_version',
    title: 'stamp schemaVersion',
    async up({ target }) {
      target.doc.schemaVersion = 1;
    },
    async down({ target }) {
      delete target.doc.schemaVersion;
    },
    async validate({ target }) {
      return target.doc.schemaVersion === 1 ? [] : [{ message: 'schemaVersion is not 1' }];
    },
  }),
  defineMigration<RefTarget>({
    id: '002_rename_topaz_id',
    title: 'rename TopazID to topaz_id',
    async up({ target, progress }) {
      target.doc.records.forEach((r, i) => {
        if ('TopazID' in r) {
          r.topaz_id = r.TopazID!;
          delete r.TopazID;
          r.renamed = true;
        }
        progress(i + 1, target.doc.records.length);
      });
    },
    async down({ target }) {
      for (const r of target.doc.records) {
        if (r.renamed) {
          r.TopazID = r.topaz_id as string | number;
          delete r.topaz_id;
          delete r.renamed;
        }
      }
    },
    async validate({ target }) {
      return target.doc.records.flatMap((r, i) =>
        'TopazID' in r ? [{ where: `records[${i}]`, message: 'still keyed TopazID' }] : [],
      );
    },
  }),
  defineMigration<RefTarget>({
    id: '003_integer_ids',
    title: 'ids to integers (irreversible: rolled back from a snapshot)',
    requires: ['002_rename_topaz_id'],
    async up({ target, warn }) {
      for (const r of target.doc.records) {
        if (r.topaz_id === undefined || r.topaz_id === null || Number.isInteger(r.topaz_id)) continue;
        const n = Number(String(r.topaz_id).trim());
        if (Number.isInteger(n)) r.topaz_id = n;
        else {
          warn(`id ${JSON.stringify(r.topaz_id)} is not an integer; set to null`);
          r.topaz_id = null;
        }
      }
    },
    async validate({ target }) {
      return target.doc.records.flatMap((r, i) =>
        r.topaz_id === undefined || r.topaz_id === null || Number.isInteger(r.topaz_id)
          ? []
          : [{ where: `records[${i}].topaz_id`, message: 'not an integer' }],
      );
    },
  }),
  defineMigration<RefTarget>({
    id: '004_tags_array',
    title: 'tags string to array',
    requires: ['001_schema_version'],
    async up({ target }) {
      for (const r of target.doc.records) {
        if (typeof r.tags !== 'string') continue;
        r.tags = r.tags === '' ? [] : r.tags.split(',');
        r.tagsSplit = true;
      }
    },
    // Only records this step split are joined back, so arrays that were arrays stay arrays.
    async down({ target }) {
      for (const r of target.doc.records) {
        if (!r.tagsSplit || !Array.isArray(r.tags)) continue;
        r.tags = r.tags.join(',');
        delete r.tagsSplit;
      }
    },
  }),
];

/** Snapshot guard: a deep copy before the run, restored on failure and on rollback of irreversible steps. */
export const memorySnapshotGuard = defineGuard<RefTarget>({
  name: 'memory-snapshot',
  async aroundRun(ctx, next) {
    const ref = `snap-${ctx.runId}`;
    ctx.target.snapshots.set(ref, structuredClone(ctx.target.doc));
    ctx.snapshotTaken(ref);
    ctx.emit('snapshot-taken', { ref });
    try {
      await next();
    } catch (error) {
      ctx.target.doc = structuredClone(ctx.target.snapshots.get(ref)!);
      ctx.restored();
      ctx.emit('restored', { ref });
      throw error;
    }
  },
  async restore(ctx, ref) {
    const snap = ctx.target.snapshots.get(ref);
    if (!snap) throw new Error(`snapshot ${ref} is gone`);
    ctx.target.doc = structuredClone(snap);
  },
});

export function referencePlugin(): Plugin<RefTarget> {
  return definePlugin<RefTarget>({
    name: 'reference',
    migrations: referenceMigrations,
    traits: [legacyKey, stringIds, csvTags],
    guards: [memorySnapshotGuard],
    ledger: (t) => t.ledger,
    describe: (t) => t.name,
    async rehearse(t) {
      const copy = refTarget(t.doc, `${t.name} (rehearsal)`);
      for (const e of await t.ledger.read()) await copy.ledger.record(e);
      return {
        target: copy,
        async diff() {
          const before = JSON.stringify(t.doc);
          const after = JSON.stringify(copy.doc);
          return {
            summary: before === after ? 'no change' : 'document changed',
            changes:
              before === after
                ? []
                : [{ kind: 'changed' as const, path: '/', detail: `${before.length} -> ${after.length} bytes` }],
          };
        },
        async dispose() {},
      };
    },
  });
}
