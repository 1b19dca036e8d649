// A lease lock as one file in the notes folder. Create is atomic (link of a fully written temp file, so a
// reader never sees half a lock); an expired lease is taken over by renaming it aside, and only the process
// that moved that very lease goes on. A crashed holder's lock expires by itself.
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lock, LockHolder, LockState } from '@tidemark/core';
import { LOCK_FILE, type NotesTarget } from './notes-files.js';

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function readState(path: string): Promise<LockState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (code(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    return JSON.parse(text) as LockState;
  } catch {
    // Never written by us half-way (we link complete files); treat garbage as an expired lease.
    return { token: '', host: '?', pid: 0, since: '', expiresAt: new Date(0).toISOString() };
  }
}

export function fileLock(dir: NotesTarget, clock: () => number = Date.now): Lock {
  const path = join(dir, LOCK_FILE);
  const stateOf = (holder: LockHolder, ttlMs: number): LockState => ({
    ...holder,
    expiresAt: new Date(clock() + ttlMs).toISOString(),
  });
  const live = (state: LockState | null) => (state && Date.parse(state.expiresAt) > clock() ? state : null);

  async function replace(state: LockState): Promise<void> {
    const tmp = `${path}.${state.token}.${Date.now()}.tmp`;
    await writeFile(tmp, JSON.stringify(state));
    await rename(tmp, path);
  }

  return {
    async acquire(holder, ttlMs) {
      const tmp = `${path}.${holder.token}.new`;
      await writeFile(tmp, JSON.stringify(stateOf(holder, ttlMs)));
      try {
        for (let attempt = 0; attempt < 5; attempt++) {
          try {
            await link(tmp, path);
            return true;
          } catch (error) {
            if (code(error) !== 'EEXIST') throw error;
          }
          const current = await readState(path);
          if (current === null) continue;
          if (current.token === holder.token) {
            await replace(stateOf(holder, ttlMs));
            return true;
          }
          if (live(current)) return false;
          const aside = `${path}.${current.token || 'corrupt'}.${holder.token}.stale`;
          try {
            await rename(path, aside);
          } catch (error) {
            if (code(error) === 'ENOENT') continue;
            throw error;
          }
          const moved = await readState(aside);
          if (moved?.token !== current.token) {
            // Between our read and our rename someone else took the lease over: give it back.
            try {
              await link(aside, path);
            } catch {
              // a third process created a lock meanwhile; the moved holder will find its lease lost on renew
            }
            await rm(aside, { force: true });
            return false;
          }
          await rm(aside, { force: true });
        }
        return false;
      } finally {
        await rm(tmp, { force: true });
      }
    },
    async renew(holder, ttlMs) {
      const current = live(await readState(path));
      if (!current || current.token !== holder.token) return false;
      await replace({ ...current, expiresAt: new Date(clock() + ttlMs).toISOString() });
      return true;
    },
    async release(holder) {
      const current = await readState(path);
      if (current?.token === holder.token) await rm(path, { force: true });
    },
    async inspect() {
      return live(await readState(path));
    },
  };
}
