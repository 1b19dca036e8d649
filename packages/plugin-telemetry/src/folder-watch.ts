// fs.watch of the logs folder and its subfolders, cheap per event. Node's `recursive: true` on Linux is
// emulated in JavaScript: a watcher per file and per folder, and every change of a file runs a synchronous
// stat of it, a stat of its folder and a readdir of the whole folder on the main thread. 50 files appended
// 10 times a second each made that 500 readdirs a second and ~2 s of CPU in 17 s, delaying follow's rounds.
// Here, on Linux, each folder has one plain (inotify) watcher, which reports its files' changes by name; the
// folders come from follow's listing every round (a new subfolder is watched once the poll has listed it).
// Elsewhere (macOS, Windows) the recursive watch is native and used as is.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface FolderWatch {
  /** Watch these folders (relative to the root, '/'-separated, '' the root) besides the ones already watched. */
  add(folders: Iterable<string>): void;
  close(): void;
}

/**
 * Calls `onChange` for any change under `root`; `onError` once if a watcher fails (the caller falls back to
 * polling). Throws if the root cannot be watched at all.
 */
export function watchFolder(root: string, onChange: () => void, onError: (error: unknown) => void): FolderWatch {
  const watchers = new Map<string, FSWatcher>();
  let failed = false;
  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    for (const w of watchers.values()) w.close();
    watchers.clear();
    onError(error);
  };
  const start = (folder: string, recursive: boolean) => {
    const w = watch(folder === '' ? root : join(root, folder), { recursive, persistent: false }, () => onChange());
    w.on('error', (error) => {
      // A subfolder removed: its watcher goes; the root's failing means watching is over.
      if (folder !== '') {
        w.close();
        watchers.delete(folder);
      } else fail(error);
    });
    watchers.set(folder, w);
  };
  const native = process.platform !== 'linux' && process.platform !== 'android';
  start('', native);
  return {
    add(folders) {
      if (native || failed) return;
      for (const folder of folders) {
        if (watchers.has(folder)) continue;
        try {
          start(folder, false);
        } catch {
          // Gone since the listing; the poll still covers it.
        }
      }
    },
    close() {
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
