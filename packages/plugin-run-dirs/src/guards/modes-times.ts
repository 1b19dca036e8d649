// Puts back each restored entry's permission bits and modification time, deepest first (a folder's own mtime
// and a read-only folder come last). chmod and utimes on a path follow links, so each file and folder is
// opened once with O_NOFOLLOW and changed through that descriptor: the object whose type is checked (fstat)
// is the one changed, with no window for a link to take its place, and the path is resolved once instead of
// three times (lstat, chmod, utimes). The few syscalls per entry are made synchronously, in slices that yield
// to the event loop, because on a thread-pool round trip each they cost more than the work.
import { closeSync, constants, fchmodSync, fstatSync, futimesSync, openSync } from 'node:fs';
import { chmod, lstat, lutimes, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export interface RestoredEntry {
  rel: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  /** A Date, or seconds since the epoch. */
  mtime: Date | number;
}

const SLICE = 256; // entries between two yields: a few ms of syscalls at most
// O_NONBLOCK: opening a FIFO planted where a file was restored must not hang (its type is refused below).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

type Kind = 'file' | 'dir' | 'symlink' | 'other';
const kindOf = (st: { isSymbolicLink(): boolean; isDirectory(): boolean; isFile(): boolean }): Kind =>
  st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
const misplaced = (e: RestoredEntry, found: Kind) =>
  new Error(
    `${e.rel} is a ${found === 'other' ? 'special file (FIFO, socket or device)' : found} where a ${e.type} was restored; modes not applied through it`,
  );

/** Through a descriptor; false when the entry cannot be opened for reading (then the caller uses its path). */
function applyThroughDescriptor(abs: string, e: RestoredEntry): boolean {
  let fd: number;
  try {
    fd = openSync(abs, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw misplaced(e, 'symlink'); // O_NOFOLLOW met a link where a file or folder was restored
    if (code === 'EACCES' || code === 'EPERM') return false; // e.g. a file restored with mode 0o200, not running as root
    throw error;
  }
  try {
    const found = kindOf(fstatSync(fd));
    if (found !== e.type) throw misplaced(e, found);
    fchmodSync(fd, e.mode);
    futimesSync(fd, e.mtime, e.mtime);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** By path, checked with lstat first: for what cannot be opened (and links, whose own times are set). */
async function applyByPath(abs: string, e: RestoredEntry): Promise<void> {
  const found = kindOf(await lstat(abs));
  if (found !== e.type) throw misplaced(e, found);
  if (e.type === 'symlink') {
    await lutimes(abs, e.mtime, e.mtime);
    return;
  }
  await chmod(abs, e.mode);
  await utimes(abs, e.mtime, e.mtime);
}

/** Sets modes and times of restored entries below `root`, deepest first; never through a link. */
export async function applyModesAndTimes(root: string, entries: readonly RestoredEntry[]): Promise<void> {
  const ordered = [...entries].sort(
    (a, b) => b.rel.split('/').length - a.rel.split('/').length || (a.rel < b.rel ? 1 : -1),
  );
  let sinceYield = 0;
  for (const e of ordered) {
    const abs = join(root, e.rel);
    if (e.type === 'symlink' || !applyThroughDescriptor(abs, e)) await applyByPath(abs, e);
    if (++sinceYield >= SLICE) {
      sinceYield = 0;
      await yieldToLoop();
    }
  }
}
