// The observable state of a folder tree: every entry's type, permission bits and content hash (or link
// target). Two equal states mean byte-for-byte equal trees with equal permissions.
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isOutsideSnapshot } from '../../target.js';

export type TreeState = Record<string, string>;

/** By default leaves out what snapshots leave out (archives/, the lease lock, snapshot storage). */
export async function treeState(root: string, skip: (rel: string) => boolean = isOutsideSnapshot): Promise<TreeState> {
  const out: TreeState = {};
  const walk = async (rel: string) => {
    for (const name of (await readdir(rel ? join(root, rel) : root)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const st = await lstat(join(root, r));
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link ${await readlink(join(root, r))}`;
      else if (st.isDirectory()) {
        // Tidemark's own folder appears with the lease lock; its existence is not run data, its files are.
        if (r !== '.tidemark') out[r] = `dir ${mode}`;
        await walk(r);
      } else
        out[r] = `file ${mode} ${createHash('sha256')
          .update(await readFile(join(root, r)))
          .digest('hex')
          .slice(0, 16)}`;
    }
  };
  await walk('');
  return out;
}

/**
 * The run's data only: also leaves out Tidemark's own bookkeeping (ledger, checkpoints), which a failed run updates
 * truthfully.
 */
export function dataState(root: string): Promise<TreeState> {
  return treeState(root, (rel) => isOutsideSnapshot(rel) || rel === '.tidemark' || rel.startsWith('.tidemark/'));
}
