// Open handles of the files follow() checks every round, kept between rounds: a grown file then costs one
// read per round (its new bytes and the ingested prefix's last bytes) instead of open, fstat, read and close.
// A handle is used only while the folder listing still shows the same inode at its path (a file replaced by
// another one is opened afresh), and closed once its path is no longer listed (a deleted log's space is
// freed) or when the follower stops.
import type { FileHandle } from 'node:fs/promises';

export interface KeptHandle {
  fh: FileHandle;
  ino: bigint;
  dev: bigint;
}

const MAX_KEPT = 1024;

export class FileHandles {
  readonly #kept = new Map<string, KeptHandle & { inode: string }>();

  /** The kept handle of `path` if it was opened on the inode the listing shows there now (`inode`: "dev:ino"). */
  take(path: string, inode: string): KeptHandle | undefined {
    const kept = this.#kept.get(path);
    if (!kept) return undefined;
    this.#kept.delete(path);
    if (kept.inode === inode) return kept;
    void kept.fh.close().catch(() => undefined);
    return undefined;
  }

  /** Keeps `handle` for the next round if it is the inode the listing showed; closes it otherwise. */
  async give(path: string, inode: string, handle: KeptHandle): Promise<void> {
    if (`${handle.dev}:${handle.ino}` !== inode || this.#kept.size >= MAX_KEPT) {
      await handle.fh.close();
      return;
    }
    this.#kept.set(path, { ...handle, inode });
  }

  /** Closes the handles of paths not in this listing. */
  async keepOnly(paths: ReadonlySet<string>): Promise<void> {
    const gone = [...this.#kept].filter(([path]) => !paths.has(path));
    for (const [path] of gone) this.#kept.delete(path);
    await Promise.all(gone.map(([, k]) => k.fh.close().catch(() => undefined)));
  }

  async closeAll(): Promise<void> {
    await this.keepOnly(new Set());
  }
}
