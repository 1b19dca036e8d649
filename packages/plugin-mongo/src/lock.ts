// The lease lock: one document with a unique _id, taken with a single findOneAndUpdate+upsert whose filter
// only matches an expired lease or our own. When another live holder has it, the filter misses, the upsert
// tries to insert the same _id and the server answers E11000: not acquired. No read-then-write race exists.
import type { Collection, Db } from 'mongodb';
import type { Lock, LockHolder, LockState } from '@tidemark/core';

interface LockDocument {
  _id: string;
  token: string;
  host: string;
  pid: number;
  since: Date;
  expiresAt: Date;
}

export interface MongoLockOptions {
  collection?: string;
  /** One lock per key; default "tidemark". */
  key?: string;
  /** Clock for expiry (tests); the holders' clocks must agree to well within the ttl. */
  clock?: () => number;
}

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

export function mongoLock(db: Db, options: MongoLockOptions = {}): Lock {
  const key = options.key ?? 'tidemark';
  const clock = options.clock ?? Date.now;
  const locks = (): Collection<LockDocument> => db.collection<LockDocument>(options.collection ?? 'migrations_lock');

  return {
    async acquire(holder: LockHolder, ttlMs: number): Promise<boolean> {
      const now = clock();
      try {
        const taken = await locks().findOneAndUpdate(
          { _id: key, $or: [{ expiresAt: { $lte: new Date(now) } }, { token: holder.token }] },
          {
            $set: {
              token: holder.token,
              host: holder.host,
              pid: holder.pid,
              since: new Date(holder.since),
              expiresAt: new Date(now + ttlMs),
            },
          },
          { upsert: true, returnDocument: 'after', includeResultMetadata: false },
        );
        return taken?.token === holder.token;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },

    async renew(holder: LockHolder, ttlMs: number): Promise<boolean> {
      const now = clock();
      const result = await locks().updateOne(
        { _id: key, token: holder.token, expiresAt: { $gt: new Date(now) } },
        { $set: { expiresAt: new Date(now + ttlMs) } },
      );
      return result.matchedCount === 1;
    },

    async release(holder: LockHolder): Promise<void> {
      await locks().deleteOne({ _id: key, token: holder.token });
    },

    async inspect(): Promise<LockState | null> {
      const doc = await locks().findOne({ _id: key });
      if (!doc || doc.expiresAt.getTime() <= clock()) return null;
      return {
        token: doc.token,
        host: doc.host,
        pid: doc.pid,
        since: doc.since.toISOString(),
        expiresAt: doc.expiresAt.toISOString(),
      };
    },
  };
}
