// The run's lease lock as a file: acquiring is an exclusive link of a complete file, so two processes can never
// both create it. An expired lease is removed by one breaker at a time (itself an exclusive link, `<lock>.breaking`),
// and only if it is still the lease the breaker read, then acquirers race to create a fresh one. A crashed holder's
// lease expires by itself, as does a crashed breaker's marker; nothing ever needs a manual unlock.
import { randomBytes } from 'node:crypto';
import { link, open, readFile, stat, unlink } from 'node:fs/promises';
import type { Lock, LockHolder, LockState } from '@tidemark/core';
import { ensureDir, writeFileAtomic } from './file-ops.js';
import { dirname } from 'node:path';

const STALE_MARKER_MS = 10_000;

interface LockFileOptions {
  clock?: () => number;
}

function parse(text: string): LockState | null {
  try {
    const value = JSON.parse(text) as Partial<LockState>;
    if (
      typeof value.token === 'string' &&
      typeof value.expiresAt === 'string' &&
      !Number.isNaN(Date.parse(value.expiresAt))
    ) {
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
   * A file that appears complete or not at all, and only if none exists: written to a private temp file,
   * fsynced, then hard-linked into place (link fails with EEXIST when the path exists). An exclusive create
   * followed by a write would show other processes an empty lease for a moment, which they would take for a
   * broken, expired one.
   */
  async function linkNew(target: string, text: string): Promise<boolean> {
    await ensureDir(dirname(target), { internal: true });
    const temp = `${target}.new-${randomBytes(6).toString('hex')}`;
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  const create = (holder: LockHolder, ttlMs: number) => linkNew(path, JSON.stringify(stateFor(holder, ttlMs)));

  /** A breaker holds its marker for a few file operations; one older than this was left by a crash. */
  async function clearStaleMarker(marker: string): Promise<void> {
    const info = await stat(marker).catch(() => null);
    if (info && Date.now() - info.mtimeMs > STALE_MARKER_MS) await unlink(marker).catch(() => undefined);
  }

  /**
   * Removes the expired lease `seen`, if it is still the one at the path; true when the path was freed. One
   * breaker at a time: breaking by renaming whatever lay at the path could move away a fresh lease another
   * acquirer had just created, and a third could create its own before it was put back (two winners).
   * Under the marker nobody else removes the lease, and nobody can create one while it is there, so the
   * lease read is the lease removed (but for its own holder re-acquiring it at that instant, who then learns
   * at renew that it lost it).
   */
  async function breakExpired(seen: string): Promise<boolean> {
    const marker = `${path}.breaking`;
    if (!(await linkNew(marker, JSON.stringify({ pid: process.pid, at: new Date(clock()).toISOString() })))) {
      await clearStaleMarker(marker);
      return false;
    }
    try {
      const current = await readFile(path, 'utf8').catch(() => null);
      if (current !== seen) return false;
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      return true;
    } finally {
      await unlink(marker).catch(() => undefined);
    }
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
        // The breaker always tries to create right after, so an expired lease has a winner even when every
        // other acquirer has used up its attempts meanwhile.
        if (await breakExpired(current.text)) return create(holder, ttlMs);
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
