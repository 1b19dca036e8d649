// What is on disk: every *.csv under logs/ (recursively, sorted, relative paths with '/'), with sizes.
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface LogFile {
  /** Relative to logsDir, '/'-separated: the key stored in ingested_files.path. */
  file: string;
  bytes: number;
  mtime: Date;
  /** Creation time in ms (0 where the file system does not keep it): "a newer file exists" closes a file. */
  born: number;
  /**
   * Device, inode, size, modification and change times: equal between two listings, the file was not written
   * (a rewrite of the same size still moves its change time, which no tool can set back).
   */
  identity: string;
  /** "device:inode". */
  inode: string;
}

export async function listLogFiles(logsDir: string): Promise<LogFile[]> {
  const out: LogFile[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && dir === logsDir) return;
      throw error;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.csv')) {
        const s = await stat(full);
        const identity = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
        out.push({
          file: relative(logsDir, full).split(sep).join('/'),
          bytes: s.size,
          mtime: s.mtime,
          born: s.birthtimeMs,
          identity,
          inode: `${s.dev}:${s.ino}`,
        });
      }
    }
  }
  await walk(logsDir);
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
