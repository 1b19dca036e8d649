// Archive retention: `archives/` of a migrated run grows by one zip per migration (two with archiveAfter).
// Pruning keeps an archive when any rule keeps it (the newest N, or younger than D) and never deletes the
// archive a rollback may still need: the newest pre-migration archive of a run whose migration is not
// verified, and the archive an in-flight journal names. Only the migration archives of this run
// (`<runid>.pre_migration|post_migration.<YYYYmmddTHHMMSSZ>.zip`) are candidates: a user's own archive
// (`<runid>.<ts>.zip`, WEPPcloud's Archive button) and anything else in archives/ are never deleted.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RunDirsGuardError } from './refusal.js';
import { removeDurable } from './fs-atomic.js';
import { runIdentity, type RunTargetLike } from './run-identity.js';
import { ARCHIVE_INFLIGHT } from './snapshot-guard.js';

export interface RetentionOptions {
  /** Keep the newest N archives of the run (all kinds together). */
  keepLast?: number;
  /** Keep archives younger than this many milliseconds (by the timestamp in their name). */
  olderThanMs?: number;
  /**
   * Whether the run's migration is verified (`runner.verify().ok`). When false (the default, the safe
   * guess) the newest pre-migration archive is kept whatever the rules say.
   */
  verified?: boolean;
  /** List what would be deleted without deleting. */
  dryRun?: boolean;
  now?: () => Date;
}

export interface RunArchive {
  name: string;
  /** `pre_migration`, `post_migration`, or '' for a plain archive. */
  kind: string;
  at: Date;
}

export interface RetentionResult {
  deleted: string[];
  kept: { name: string; why: string }[];
}

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The run's archives (real naming format only), newest first. */
export async function listRunArchives(target: RunTargetLike): Promise<RunArchive[]> {
  const { dir, runId } = runIdentity(target);
  let names: string[];
  try {
    names = await readdir(join(dir, 'archives'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: RunArchive[] = [];
  for (const name of names) {
    if (!name.startsWith(`${runId}.`) || !name.endsWith('.zip')) continue;
    const parts = name.slice(runId.length + 1, -'.zip'.length).split('.');
    if (parts.length > 2) continue;
    const stamp = STAMP.exec(parts[parts.length - 1]!);
    if (!stamp) continue;
    const kind = parts.length === 2 ? parts[0]! : '';
    if (!/^[a-z_]*$/.test(kind)) continue;
    const [, y, mo, d, h, mi, s] = stamp.map(Number) as [number, number, number, number, number, number, number];
    out.push({ name, kind, at: new Date(Date.UTC(y, mo - 1, d, h, mi, s)) });
  }
  // Names carry seconds only: in the same second a post-migration archive was written after the pre-migration one.
  const order = (a: RunArchive) => (a.kind === 'post_migration' ? 0 : a.kind === 'pre_migration' ? 1 : 2);
  return out.sort((a, b) => b.at.getTime() - a.at.getTime() || order(a) - order(b) || (a.name < b.name ? 1 : -1));
}

/** Parses `30d`, `12h`, `90m`, `2w` (or plain milliseconds) into milliseconds. */
export function parseAge(text: string): number {
  const m = /^(\d+)\s*(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!m) throw new RunDirsGuardError('ARCHIVE_FAILED', `--older-than "${text}" is not an age (e.g. 30d, 12h, 2w)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[(m[2] ?? 'ms') as 'ms'];
  return Number(m[1]) * unit;
}

/** Deletes the run's archives that no rule keeps. At least one of keepLast / olderThanMs is required. */
export async function pruneRunArchives(target: RunTargetLike, options: RetentionOptions): Promise<RetentionResult> {
  const { keepLast, olderThanMs } = options;
  if (keepLast === undefined && olderThanMs === undefined)
    throw new RunDirsGuardError('ARCHIVE_FAILED', 'archive retention needs keepLast and/or olderThanMs');
  if (keepLast !== undefined && (!Number.isInteger(keepLast) || keepLast < 0))
    throw new RunDirsGuardError('ARCHIVE_FAILED', `keepLast must be a whole number >= 0, got ${keepLast}`);
  const now = (options.now ?? (() => new Date()))().getTime();
  const archives = (await listRunArchives(target)).filter(
    (a) => a.kind === 'pre_migration' || a.kind === 'post_migration',
  );
  const protectedNames = new Map<string, string>();
  if (!options.verified) {
    const newestPre = archives.find((a) => a.kind === 'pre_migration');
    if (newestPre)
      protectedNames.set(newestPre.name, 'newest pre-migration archive of a run whose migration is not verified');
  }
  try {
    const journal = JSON.parse(await readFile(join(resolve(target.dir), ARCHIVE_INFLIGHT), 'utf8')) as { ref?: string };
    if (typeof journal.ref === 'string')
      protectedNames.set(journal.ref.replace(/^archives\//, ''), 'named by the in-flight journal');
  } catch {
    // no journal (or an unreadable one, which the guard refuses on the next run): nothing more to protect
  }
  const result: RetentionResult = { deleted: [], kept: [] };
  for (const [i, a] of archives.entries()) {
    const why =
      protectedNames.get(a.name) ??
      (keepLast !== undefined && i < keepLast ? `one of the newest ${keepLast}` : undefined) ??
      (olderThanMs !== undefined && now - a.at.getTime() < olderThanMs ? 'younger than the age limit' : undefined);
    if (why) {
      result.kept.push({ name: a.name, why });
      continue;
    }
    if (!options.dryRun) await removeDurable(join(resolve(target.dir), 'archives', a.name));
    result.deleted.push(a.name);
  }
  return result;
}
