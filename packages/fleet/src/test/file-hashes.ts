// What a copied run must equal: the sha256 of every file, by relative path.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** path -> sha256 of every file (archives/ and .tidemark/ left out, like a manifest). */
export async function fileHashes(
  dir: string,
  skip: (rel: string) => boolean = (rel) => rel.startsWith('archives/') || rel.startsWith('.tidemark/'),
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) await walk(p);
      else
        out[rel] = createHash('sha256')
          .update(await readFile(p))
          .digest('hex');
    }
  };
  await walk(dir);
  return out;
}
