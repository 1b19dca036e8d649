// The run's lease lock as a file: acquiring is an exclusive link of a complete file, so two processes can never
// both create it; an expired lease is taken over by renaming it away (only one rename of a path can succeed) and
// creating a fresh one. A crashed holder's lease expires by itself; nothing ever needs a manual unlock.
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import type { Lock, LockHolder, LockState } from '@tidemark/core';
import { ensureDir, writeFileAtomic } from './file-ops.js';
import { dirname } from 'node:path';

interface LockFileOptions {
  clock?: () => number;
}

function parse(text: string): LockState | null {
  try {
    const value = JSON.parse(text) as Partial<LockState>;
    if (typeof value.token === 'string' && typeof value.expiresAt === 'string' && !Number.isNaN(Date.parse(value.expiresAt))) {
      return value as LockState;
    }
  } catch {
    // a torn or foreign file: treated as expired below
  }
  return null;
}

async function readState(path: string): Promise<{ text: string; state: LockState | null } | null> {
  try {
    const text = await readFile(path, 'utf8');
    return { text, state: parse(text) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function fileLock(path: string, options: LockFileOptions = {}): Lock {
  const clock = options.clock ?? Date.now;
  const stateFor = (holder: LockHolder, ttlMs: number): LockState => ({
    token: holder.token,
    host: holder.host,
    pid: holder.pid,
    since: holder.since,
    expiresAt: new Date(clock() + ttlMs).toISOString(),
  });
  const live = (state: LockState | null) => state !== null && Date.parse(state.expiresAt) > clock();

  /**
   * The lease file appears complete or not at all: written to a private temp file, fsynced, then hard-linked
   * into place (link fails with EEXIST when a lease exists). An exclusive create followed by a write would
   * show other processes an empty file for a moment, which they would take for a broken, expired lease.
   */
  async function create(holder: LockHolder, ttlMs: number): Promise<boolean> {
    await ensureDir(dirname(path), { internal: true });
    const temp = `${path}.new-${randomBytes(6).toString('hex')}`;
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(JSON.stringify(stateFor(holder, ttlMs)));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  /** Moves an expired lease out of the way; puts it back if it turned out to be a fresh one. */
  async function breakExpired(seen: string): Promise<void> {
    const aside = `${path}.expired-${randomBytes(4).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke it first
      throw error;
    }
    const moved = await readFile(aside, 'utf8').catch(() => seen);
    if (moved !== seen) {
      // Between our read and the rename another process took it over: give its lease back (link fails if a
      // third one already created a new lock, in which case the second learns it lost the lease at renew).
      await link(aside, path).catch(() => undefined);
    }
    await unlink(aside).catch(() => undefined);
  }

  return {
    async acquire(holder, ttlMs) {
      for (let attempt = 0; attempt < 3; attempt++) {
        if (await create(holder, ttlMs)) return true;
        const current = await readState(path);
        if (current === null) continue; // released meanwhile: try again
        if (current.state?.token === holder.token) {
          await writeFileAtomic(path, JSON.stringify(stateFor(holder, ttlMs)), { internal: true });
          return true;
        }
        if (live(current.state)) return false;
        await breakExpired(current.text);
      }
      return false;
    },
    async renew(holder, ttlMs) {
      const current = await readState(path);
      if (!current || current.state?.token !== holder.token || !live(current.state)) return false;
      await writeFileAtomic(path, JSON.stringify(stateFor(holder, ttlMs)), { internal: true });
      return true;
    },
    async release(holder) {
      const current = await readState(path);
      if (current?.state?.token !== holder.token) return;
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
    async inspect() {
      const current = await readState(path);
      return current && live(current.state) ? current.state : null;
    },
  };
}
