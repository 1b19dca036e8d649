// A Db whose k-th write (any collection, bookkeeping included) throws once, after or before the server did
// it: a crash between any two API calls. Reads pass through untouched.
import type { Collection, Db } from 'mongodb';

const COLLECTION_WRITES = new Set([
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndDelete',
  'createIndex',
  'createIndexes',
  'dropIndex',
  'drop',
  'bulkWrite',
]);
const DB_WRITES = new Set(['createCollection', 'dropCollection', 'dropDatabase']);

export class WriteFault extends Error {
  constructor(
    readonly n: number,
    readonly call: string,
  ) {
    super(`write fault #${n} at ${call}`);
  }
}

export interface FaultPlan {
  /** Throw at this write (1-based). */
  at: number;
  /** Throw after the write reached the server (true) or instead of it (false). */
  after: boolean;
  /** Writes seen so far; tells whether the fault fired. */
  seen: number;
  fired?: string;
}

function wrap<T extends object>(
  real: T,
  writes: Set<string>,
  plan: FaultPlan,
  label: (prop: string) => string,
  extra?: (prop: string | symbol) => unknown,
): T {
  return new Proxy(real, {
    get(target, prop, receiver) {
      const special = extra?.(prop);
      if (special !== undefined) return special;
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (typeof prop !== 'string' || !writes.has(prop)) return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        const n = ++plan.seen;
        if (n === plan.at && !plan.after) {
          plan.fired = label(prop);
          throw new WriteFault(n, plan.fired);
        }
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (n === plan.at) {
          plan.fired = label(prop);
          throw new WriteFault(n, plan.fired);
        }
        return result;
      };
    },
  });
}

export function faultyDb(db: Db, plan: FaultPlan): Db {
  return wrap(
    db,
    DB_WRITES,
    plan,
    (p) => `db.${p}`,
    (prop) =>
      prop === 'collection'
        ? (name: string, options?: object) =>
            wrap(db.collection(name, options) as Collection, COLLECTION_WRITES, plan, (p) => `${name}.${p}`)
        : undefined,
  );
}
