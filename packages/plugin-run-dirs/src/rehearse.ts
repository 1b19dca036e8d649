// Rehearsal (`runner.rehearse()`, `tidemark rehearse`): apply the plan on a hard-link copy of the run, report
// what changed, delete the copy. A hard-link copy costs one link per file, whatever the run's size, and is
// copy-on-write because migrations never write a file in place (file-ops: temp file + rename gives the copy a
// new inode and leaves the original's untouched). That is checked, not assumed: every original file must
// still have the inode, size and mtime it had before, or the rehearsal reports that it changed the run.
// Unchanged files share their inode with the original, so the diff hashes only files that were replaced.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, lstat, mkdir, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ChangeSummary, RehearsalSession } from '@tidemark/core';
import { RunDirError } from './errors.js';
import { listRunEntries, normalizePreserved, type RunEntry } from './guards/run-files.js';
import { runIdOf, TIDEMARK_DIR, type RunDirTarget } from './target.js';

interface Seen {
  entry: RunEntry;
  ino: number;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The run as the diff sees it: data only (archives/, Tidemark's own folder and the lease lock left out). */
async function dataEntries(root: string): Promise<Map<string, Seen>> {
  const out = new Map<string, Seen>();
  for (const entry of await listRunEntries(root, normalizePreserved([TIDEMARK_DIR]))) {
    out.set(entry.rel, { entry, ino: entry.type === 'file' ? (await lstat(entry.abs)).ino : 0 });
  }
  return out;
}

export interface RunDirRehearsalOptions {
  /** Where the copy goes (default: a hidden folder beside the run, so hard links work). */
  parent?: string;
}

export async function rehearseRunDir(
  target: RunDirTarget,
  options: RunDirRehearsalOptions = {},
): Promise<RehearsalSession<RunDirTarget>> {
  const root = resolve(target.dir);
  const holder = join(
    options.parent ?? dirname(root),
    `.${basename(root)}.tidemark-rehearsal-${randomBytes(4).toString('hex')}`,
  );
  const copy = join(holder, basename(root));
  // The ledger and checkpoints come along (the copy must plan like the run); the lock, archives and snapshots do not.
  const entries = await listRunEntries(root, normalizePreserved());
  const original = new Map<string, { ino: number; size: number; mtimeMs: number }>();
  await mkdir(copy, { recursive: true });
  try {
    for (const e of entries) {
      const dest = join(copy, e.rel);
      if (e.type === 'dir') await mkdir(dest, { mode: e.mode | 0o700 });
      else if (e.type === 'symlink') await symlink(e.linkTarget ?? '', dest);
      else {
        const st = await lstat(e.abs);
        original.set(e.rel, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
        try {
          await link(e.abs, dest);
        } catch (error) {
          // Another filesystem (options.parent) or links not allowed: a plain copy is slower but as good.
          if (!['EXDEV', 'EPERM', 'EMLINK'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
          await copyFile(e.abs, dest);
        }
      }
    }
  } catch (error) {
    await rm(holder, { recursive: true, force: true });
    throw new RunDirError(`could not make the rehearsal copy of ${basename(root)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const before = await dataEntries(root);
  return {
    target: { dir: copy, runId: runIdOf(target) },
    async diff(): Promise<ChangeSummary> {
      // First: the original run must be exactly as it was (a step that wrote in place would have changed it).
      const touched: string[] = [];
      for (const [rel, was] of original) {
        const st = await lstat(join(root, rel)).catch(() => null);
        if (!st || st.ino !== was.ino || st.size !== was.size || st.mtimeMs !== was.mtimeMs) touched.push(rel);
      }
      if (touched.length > 0) {
        throw new RunDirError(
          `the rehearsal changed the real run in place (${touched.slice(0, 5).join(', ')}${touched.length > 5 ? ', ...' : ''}): a step writes a file in place instead of through file-ops`,
          { file: touched[0]! },
        );
      }
      const after = await dataEntries(copy);
      const changes: ChangeSummary['changes'] = [];
      for (const rel of [...new Set([...before.keys(), ...after.keys()])].sort()) {
        const a = before.get(rel);
        const b = after.get(rel);
        if (!a)
          changes.push({
            kind: 'added',
            path: rel,
            detail: b!.entry.type === 'file' ? `${b!.entry.size} bytes` : b!.entry.type,
          });
        else if (!b)
          changes.push({
            kind: 'removed',
            path: rel,
            detail: a.entry.type === 'file' ? `${a.entry.size} bytes` : a.entry.type,
          });
        else if (a.entry.type !== b.entry.type)
          changes.push({ kind: 'changed', path: rel, detail: `${a.entry.type} -> ${b.entry.type}` });
        else if (a.entry.type === 'symlink' && a.entry.linkTarget !== b.entry.linkTarget)
          changes.push({ kind: 'changed', path: rel, detail: `link ${a.entry.linkTarget} -> ${b.entry.linkTarget}` });
        else if (a.entry.type === 'file' && a.ino !== b.ino) {
          // Replaced: changed only if the bytes (or the mode) differ.
          const modes =
            a.entry.mode !== b.entry.mode ? ` mode ${a.entry.mode.toString(8)} -> ${b.entry.mode.toString(8)}` : '';
          const bytes = a.entry.size !== b.entry.size || (await sha256(a.entry.abs)) !== (await sha256(b.entry.abs));
          if (bytes || modes)
            changes.push({ kind: 'changed', path: rel, detail: `${a.entry.size} -> ${b.entry.size} bytes${modes}` });
        }
      }
      const count = (k: string) => changes.filter((c) => c.kind === k).length;
      return {
        summary: `${changes.length} path(s) of the run would change: ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed`,
        changes,
      };
    },
    dispose: () => rm(holder, { recursive: true, force: true }),
  };
}
