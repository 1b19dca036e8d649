// The plugin's one symlink policy (README, "Symlinks"): a link inside a run is data. It is archived,
// snapshotted and restored as a link and never followed for a read or a write. A link whose target lies
// outside the run (or would, once created: a dangling link is judged by where it points) is refused
// before the lease and before any write, because archiving it would save only the link while a step,
// a restore or the web app could read or write through it outside the run.
// Where a link lands is resolved component by component, each link replaced by its target exactly as the
// kernel would (a textual `resolve()` is fooled by `x -> d1/d2/a/../../..` when `d1/d2/a -> ../..`).
import { lstat, readlink, realpath } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { defineGuard, type Guard } from '@tidemark/core';
import { RunDirsGuardError } from './refusal.js';
import { listRunEntries, normalizePreserved, type RunEntry } from './run-files.js';
import { shortLabel, type RunTargetLike } from './run-identity.js';

const MAX_HOPS = 40; // Linux' own limit on links followed in one lookup (ELOOP)

export type Landing = { inside: true; rel: string } | { inside: false; why: string };

/**
 * Where `rel` (POSIX, relative to the run root) lands once every link on the way is followed, without
 * ever leaving the root: `rel: ''` is the root itself. `roots` are the names the root is known by (its
 * real path first); an absolute link target must start with one of them to stay inside.
 */
export async function landingOf(roots: readonly string[], rel: string, fsRoot: string = roots[0]!): Promise<Landing> {
  // fsRoot is where the tree is read: the run itself, or a restore's staging folder standing in for it.
  const realRoot = fsRoot;
  const stack: string[] = [];
  const queue = rel.split('/');
  let hops = 0;
  let gone = false; // below a missing entry nothing can be a link: the rest is plain text
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return { inside: false, why: 'climbs above the run folder' };
      stack.pop();
      continue;
    }
    if (gone) {
      stack.push(part);
      continue;
    }
    const abs = join(realRoot, ...stack, part);
    let st;
    try {
      st = await lstat(abs);
    } catch (error) {
      if (!['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      gone = true;
      stack.push(part);
      continue;
    }
    if (!st.isSymbolicLink()) {
      stack.push(part);
      continue;
    }
    if (++hops > MAX_HOPS) return { inside: false, why: `more than ${MAX_HOPS} links in a row (a loop)` };
    const to = await readlink(abs);
    if (isAbsolute(to)) {
      const base = roots.find((r) => to === r || to.startsWith(`${r}/`));
      if (base === undefined) return { inside: false, why: `absolute target ${to}` };
      stack.length = 0;
      queue.unshift(...to.slice(base.length).split('/'));
    } else {
      queue.unshift(...to.split('/'));
    }
  }
  return { inside: true, rel: stack.join('/') };
}

/** The names the run root is known by: its real path, and the path given when it differs. */
export async function rootNames(dir: string): Promise<string[]> {
  const given = resolve(dir);
  const real = await realpath(given);
  return real === given ? [real] : [real, given];
}

export interface OutsideLink {
  rel: string;
  linkTarget: string;
  why: string;
}

/** The links among `entries` (a listing of the run) that land outside it. */
export async function outsideLinks(dir: string, entries: readonly RunEntry[]): Promise<OutsideLink[]> {
  const links = entries.filter((e) => e.type === 'symlink');
  if (links.length === 0) return [];
  const roots = await rootNames(dir);
  const out: OutsideLink[] = [];
  for (const e of links) {
    const landing = await landingOf(roots, e.rel);
    if (!landing.inside) out.push({ rel: e.rel, linkTarget: e.linkTarget ?? '', why: landing.why });
  }
  return out;
}

export function outsideLinksError(
  target: RunTargetLike,
  found: readonly OutsideLink[],
  what: string,
): RunDirsGuardError {
  const named = found
    .slice(0, 5)
    .map((l) => `${l.rel} -> ${l.linkTarget} (${l.why})`)
    .join('; ');
  const more = found.length > 5 ? ` and ${found.length - 5} more` : '';
  return new RunDirsGuardError(
    'SYMLINK_OUTSIDE',
    `run "${shortLabel(target)}": symlink(s) pointing outside the run: ${named}${more}. Links must stay inside the run folder; replace each with the file or folder it points to, or remove it. ${what}`,
  );
}

/** Throws SYMLINK_OUTSIDE when a link of the run (preserved paths aside) lands outside it. */
export async function assertLinksInside(
  target: RunTargetLike,
  options: { preserve?: readonly string[]; entries?: readonly RunEntry[] } = {},
): Promise<void> {
  const entries = options.entries ?? (await listRunEntries(resolve(target.dir), normalizePreserved(options.preserve)));
  const found = await outsideLinks(target.dir, entries);
  if (found.length > 0) throw outsideLinksError(target, found, 'Nothing was changed');
}

/** Refuses, before the lease and any write, a run holding a link that lands outside it. */
export function symlinkPolicyGuard<T extends RunTargetLike>(options: { preserve?: readonly string[] } = {}): Guard<T> {
  return defineGuard<T>({
    name: 'run-dirs:symlinks',
    async preflight(ctx) {
      await assertLinksInside(ctx.target, options);
    },
    // Checked again under the lease: a link may have appeared while this runner waited.
    async aroundRun(ctx, next) {
      await assertLinksInside(ctx.target, options);
      await next();
    },
  });
}
