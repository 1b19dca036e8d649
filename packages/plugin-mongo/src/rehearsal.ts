// Rehearsal: copy the database (application collections, ledger and undo records; not the lock or snapshots)
// into a scratch database on the same server, let the runner apply the plan there, and report what changed.
import { randomBytes } from 'node:crypto';
import type { ChangeSummary, RehearsalSession } from '@tidemark/core';
import type { Db, Document } from 'mongodb';
import type { CollectionNames } from './names.js';
import { readState, stateText, type MongoState } from './state.js';
import type { MongoTarget } from './target.js';

const EXACT = { promoteLongs: false, promoteValues: false, promoteBuffers: false, bsonRegExp: true } as const;

async function copyDatabase(from: Db, to: Db, skip: ReadonlySet<string>): Promise<void> {
  const infos = (await from.listCollections({}, { nameOnly: false }).toArray()) as {
    name: string;
    type?: string;
    options?: Document;
  }[];
  for (const info of infos) {
    if (info.type === 'view' || info.name.startsWith('system.') || skip.has(info.name)) continue;
    await to.createCollection(info.name, info.options ?? {});
    const indexes = (await from.collection(info.name).listIndexes().toArray())
      .filter((ix) => ix.name !== '_id_')
      .map(({ v: _v, ns: _ns, ...ix }) => ix);
    if (indexes.length > 0) await to.collection(info.name).createIndexes(indexes as never);
    let batch: Document[] = [];
    for await (const doc of from.collection(info.name).find({}, { ...EXACT, batchSize: 1000 })) {
      batch.push(doc);
      if (batch.length >= 1000) {
        await to.collection(info.name).insertMany(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await to.collection(info.name).insertMany(batch);
  }
}

async function docKey(doc: Document): Promise<string> {
  return stateText({ d: { indexes: [], documents: [doc] } });
}

export async function diffStates(before: MongoState, after: MongoState): Promise<ChangeSummary> {
  const changes: ChangeSummary['changes'] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[name];
    const b = after[name];
    if (!a) {
      changes.push({
        kind: 'added',
        path: name,
        detail: `collection with ${b!.documents.length} document(s), indexes ${b!.indexes.map((i) => i.name).join(', ') || 'none'}`,
      });
      continue;
    }
    if (!b) {
      changes.push({ kind: 'removed', path: name, detail: `collection with ${a.documents.length} document(s)` });
      continue;
    }
    const ia = new Map(a.indexes.map((i) => [i.name, JSON.stringify(i)]));
    const ib = new Map(b.indexes.map((i) => [i.name, JSON.stringify(i)]));
    for (const [n, spec] of ib) {
      if (!ia.has(n)) changes.push({ kind: 'added', path: `${name}.indexes.${n}`, detail: spec });
      else if (ia.get(n) !== spec)
        changes.push({ kind: 'changed', path: `${name}.indexes.${n}`, detail: `${ia.get(n)} -> ${spec}` });
    }
    for (const n of ia.keys()) if (!ib.has(n)) changes.push({ kind: 'removed', path: `${name}.indexes.${n}` });
    const da = new Map<string, string>();
    for (const d of a.documents) da.set(String(d._id), await docKey(d));
    let changed = 0;
    let added = 0;
    const sample: string[] = [];
    for (const d of b.documents) {
      const id = String(d._id);
      const old = da.get(id);
      if (old === undefined) added++;
      else if (old !== (await docKey(d))) {
        changed++;
        if (sample.length < 3) sample.push(id);
      }
      da.delete(id);
    }
    if (changed > 0)
      changes.push({
        kind: 'changed',
        path: `${name}.documents`,
        detail: `${changed} document(s), e.g. ${sample.join(', ')}`,
      });
    if (added > 0) changes.push({ kind: 'added', path: `${name}.documents`, detail: `${added} document(s)` });
    if (da.size > 0) changes.push({ kind: 'removed', path: `${name}.documents`, detail: `${da.size} document(s)` });
  }
  const summary = changes.length === 0 ? 'no changes' : changes.map((c) => `${c.kind} ${c.path}`).join('; ');
  return { summary, changes };
}

export async function rehearseOnCopy(db: Db, names: CollectionNames): Promise<RehearsalSession<MongoTarget>> {
  const scratch = db.client.db(`${db.databaseName.slice(0, 40)}_rehearsal_${randomBytes(4).toString('hex')}`);
  await copyDatabase(db, scratch, new Set([names.lock, names.snapshots]));
  const before = await readState(scratch, { names });
  return {
    target: scratch,
    diff: async () => diffStates(before, await readState(scratch, { names })),
    dispose: async () => {
      await scratch.dropDatabase();
    },
  };
}
