// The real archive format of a WEPPcloud run: `archives/<runid>.<kind>.<YYYYmmddTHHMMSSZ>.zip`, written
// through a `.tmp` then renamed, deflate level 6, entry names relative to the run root, `archives/` left
// out, unix permissions kept in the external attributes (so Info-ZIP's unzip restores them too).
// yazl writes (streaming, native zlib, zip64 when needed); yauzl reads (random access, no whole-file
// buffering). Restores never trust the archive: every name and symlink is checked to stay inside the run
// and every CRC is verified while extracting into a staging folder, before the run is touched at all.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readFile, readdir, realpath, rename, rm, stat, symlink, unlink } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { clearExcept, compactUtc, fsyncDir, moveInto, removeDurable, writeJsonDurable } from './fs-atomic.js';
import { RunDirsGuardError } from './refusal.js';
import {
  holdsPreserved,
  isPreserved,
  listRunEntries,
  normalizePreserved,
  totalBytes,
  type RunEntry,
} from './run-files.js';
import { exists } from '../run-files.js';
import { SNAPSHOTS_DIR } from '../target.js';
import { landingOf, outsideLinks, outsideLinksError, rootNames } from './symlinks.js';
import { applyModesAndTimes } from './modes-times.js';

export { applyModesAndTimes } from './modes-times.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

export interface ArchiveOptions {
  /** Archive name part after the run id: `pre_migration` (default), `post_migration`, or none. */
  kind?: string;
  /** Deflate level; the real tool uses 6. */
  level?: number;
  /** Extra paths left out (beyond `archives/` and the snapshot folders). */
  preserve?: readonly string[];
  /** Clock for the archive name (tests). */
  now?: () => Date;
}

export interface ArchiveResult {
  /** Path relative to the run root, e.g. `archives/abc.pre_migration.20250101T000000Z.zip`. */
  ref: string;
  path: string;
  entries: number;
  sourceBytes: number;
  zipBytes: number;
  /** sha256 of the zip as written (hashed on the way to disk): what a journal names to trust it later. */
  sha256: string;
  ms: number;
}

/** Picks a free archive name; two archives in one second wait for the next second to keep the format. */
async function archiveName(dir: string, runId: string, kind: string | undefined, now: () => Date): Promise<string> {
  for (;;) {
    const name = `${runId}.${kind ? `${kind}.` : ''}${compactUtc(now())}.zip`;
    if (!(await exists(join(dir, 'archives', name))) && !(await exists(join(dir, 'archives', `${name}.tmp`))))
      return name;
    // Stryker disable next-line ArithmeticOperator: only how long to wait for the clock's next second
    await new Promise((r) => setTimeout(r, 1000 - (now().getTime() % 1000) + 5));
  }
}

function addEntry(zip: yazl.ZipFile, e: RunEntry, level: number): void {
  const mtime = new Date(e.mtimeMs);
  if (e.type === 'dir') zip.addEmptyDirectory(`${e.rel}/`, { mode: S_IFDIR | e.mode, mtime });
  else if (e.type === 'symlink')
    zip.addBuffer(Buffer.from(e.linkTarget ?? ''), e.rel, { mode: S_IFLNK | e.mode, mtime, compress: false });
  else zip.addFile(e.abs, e.rel, { mode: S_IFREG | e.mode, mtime, compressionLevel: level });
}

/** Writes the run's archive; the run itself is only read. */
export async function createRunArchive(
  dir: string,
  runId: string,
  options: ArchiveOptions = {},
): Promise<ArchiveResult> {
  const t0 = performance.now();
  const root = resolve(dir);
  const preserved = normalizePreserved(options.preserve);
  const entries = await listRunEntries(root, preserved);
  // Restore refuses such a link, so archiving one would make a run that can never be restored.
  const outside = await outsideLinks(root, entries);
  if (outside.length > 0) throw outsideLinksError({ dir: root, runId }, outside, 'No archive was written');
  await mkdir(join(root, 'archives'), { recursive: true });
  const name = await archiveName(root, runId, options.kind ?? 'pre_migration', options.now ?? (() => new Date()));
  const final = join(root, 'archives', name);
  const tmp = `${final}.tmp`;
  const zip = new yazl.ZipFile();
  const digest = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      digest.update(chunk);
      done(null, chunk);
    },
  });
  // archiveName just found the .tmp name free; 'wx' only guards a race
  // Stryker disable next-line ObjectLiteral,StringLiteral
  const written = pipeline(zip.outputStream, hashing, createWriteStream(tmp, { flags: 'wx' }));
  // yazl reports a file it cannot read (gone or unreadable since the listing) on the ZipFile, not the stream:
  // unhandled, that event would crash the process and leave the pipeline waiting forever.
  zip.on('error', (error: Error) => (zip.outputStream as Readable).destroy(error));
  try {
    // Stryker disable next-line LogicalOperator: yazl's own default level is 6 too
    for (const e of entries) addEntry(zip, e, options.level ?? 6);
    zip.end();
    await written;
    const handle = await open(tmp, 'r+');
    // Stryker disable BlockStatement: durability (fsync) and closing the handle are not observable in a test
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    // Stryker restore BlockStatement
    const check = await yauzl.openPromise(tmp, { lazyEntries: true, decodeStrings: false });
    const count = check.entryCount;
    check.close();
    if (count !== entries.length) throw new Error(`archive holds ${count} entries, expected ${entries.length}`);
    await rename(tmp, final);
    // Stryker disable next-line StringLiteral: durability only (fsync of the folder)
    await fsyncDir(join(root, 'archives'));
  } catch (error) {
    zip.outputStream.resume();
    await written.catch(() => undefined);
    await rm(tmp, { force: true });
    throw new RunDirsGuardError(
      'ARCHIVE_FAILED',
      `could not write archive archives/${name}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    ref: `archives/${name}`,
    path: final,
    entries: entries.length,
    sourceBytes: totalBytes(entries),
    zipBytes: (await stat(final)).size,
    sha256: digest.digest('hex'),
    ms: Math.round(performance.now() - t0),
  };
}

/** The archive path, refused unless it lies inside the run's `archives/` folder (symlinks resolved). */
export async function resolveArchiveRef(dir: string, ref: string): Promise<string> {
  const root = resolve(dir);
  const archives = join(root, 'archives');
  const candidate = isAbsolute(ref) ? resolve(ref) : resolve(root, ref.includes('/') ? ref : `archives/${ref}`);
  const inside = (p: string, base: string) => p.startsWith(`${base}${sep}`);
  if (!inside(candidate, archives)) {
    throw new RunDirsGuardError(
      'RESTORE_FAILED',
      `archive "${ref}" is not inside the run's archives/ folder; refusing to restore from it`,
    );
  }
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw new RunDirsGuardError('RESTORE_FAILED', `archive "${ref}" does not exist`);
  }
  if (!inside(real, await realpath(archives))) {
    throw new RunDirsGuardError(
      'RESTORE_FAILED',
      `archive "${ref}" resolves outside the run's archives/ folder; refusing to restore from it`,
    );
  }
  return real;
}

interface PlannedEntry {
  rel: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  mtime: Date;
}

/** A name that, once extracted, stays strictly inside the run; else why not. */
export function entryNameProblem(name: string): string | null {
  if (name.length === 0) return 'empty name';
  if (name.includes('\0')) return 'NUL in name';
  if (name.includes('\\')) return 'backslash in name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'absolute path';
  const norm = posix.normalize(name);
  // a ".." segment alone decides; the normalized form is a second reading of one rule
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator
  if (norm === '..' || norm.startsWith('../') || name.split('/').includes('..')) return 'escapes the run folder (..)';
  return null;
}

/** Counts CRC-32 of what passes through, to compare with the central directory (yauzl does not). */
class Crc32Check extends Transform {
  crc = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.crc = crc32(chunk, this.crc);
    done(null, chunk);
  }
}

/**
 * Creates the folders of `rel` below `root` (a real path), never through a link: an entry below a link
 * extracted earlier (`x -> /elsewhere`, then `x/PWNED.txt`) is refused, it would be written outside.
 */
async function realFolders(root: string, parts: readonly string[], name: string, known: Set<string>): Promise<void> {
  let here = root;
  for (const part of parts) {
    here = join(here, part);
    // A folder checked once stays one: no later entry can replace it (files and links are created exclusively).
    // Stryker disable next-line ConditionalExpression: a cache; checking a folder again gives the same answer
    if (known.has(here)) continue;
    let st;
    try {
      st = await lstat(here);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(here, { mode: 0o700 });
      known.add(here);
      continue;
    }
    if (st.isSymbolicLink())
      throw new RunDirsGuardError(
        'ZIP_SLIP',
        `archive entry "${name}" lies below "${relative(root, here)}", a symlink of the archive: it would be written through it; the run was not touched`,
      );
    if (!st.isDirectory())
      throw new RunDirsGuardError(
        'ZIP_SLIP',
        `archive entry "${name}" lies below "${relative(root, here)}", which the archive holds as a file; the run was not touched`,
      );
    known.add(here);
  }
}

export interface ExtractReport {
  entries: PlannedEntry[];
  skipped: string[];
}

/**
 * Extracts the archive into `into`, checking names, symlink targets, sizes and CRCs. Entries under
 * preserved paths (a foreign `zip -r` of the whole run includes `archives/`) are skipped and listed.
 * Throws ZIP_SLIP for any entry that would land outside `runRoot`.
 */
export async function extractVerified(
  zipPath: string,
  into: string,
  runRoot: string,
  preserved: readonly string[],
): Promise<ExtractReport> {
  // Every path is made below the staging folder's real path, folder by folder, never through a link.
  const stage = await realpath(into);
  const folders = new Set<string>();
  const zip = await yauzl.openPromise(zipPath, {
    lazyEntries: true,
    decodeStrings: false,
    validateEntrySizes: true,
    autoClose: false,
  });
  const planned: PlannedEntry[] = [];
  const skipped: string[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      const raw = entry.fileName as unknown as Buffer;
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
      const problem = entryNameProblem(name) ?? yauzl.validateFileName(name);
      if (problem)
        throw new RunDirsGuardError(
          'ZIP_SLIP',
          `archive entry "${name}" is rejected: ${problem}; the run was not touched`,
        );
      const rel = posix.normalize(name).replace(/\/+$/, '');
      if (rel === '.' || rel === '') continue;
      if (isPreserved(rel, preserved)) {
        skipped.push(rel);
        continue;
      }
      const dest = resolve(stage, rel);
      // defence in depth; entryNameProblem already refused every name that resolves outside
      // Stryker disable next-line all
      if (!dest.startsWith(`${stage}${sep}`))
        throw new RunDirsGuardError(
          'ZIP_SLIP',
          `archive entry "${name}" would be written outside the run; the run was not touched`,
        );
      if (entry.isEncrypted()) throw new Error(`archive entry "${name}" is encrypted`);
      const unix = entry.versionMadeBy >> 8 === 3 && entry.externalFileAttributes >>> 16 !== 0;
      const fullMode = unix ? entry.externalFileAttributes >>> 16 : 0;
      const isDir = name.endsWith('/') || (fullMode & S_IFMT) === S_IFDIR;
      const isLink = (fullMode & S_IFMT) === S_IFLNK;
      // A file or link where a preserved path needs its folder (`.tidemark` over `.tidemark/snapshots`) would make
      // the move into the run delete the preserved paths (the snapshots, the restore journal) to put it there.
      if (!isDir && holdsPreserved(rel, preserved)) {
        const below = preserved.filter((p) => p.startsWith(`${rel}/`));
        throw new RunDirsGuardError(
          'ZIP_SLIP',
          `archive entry "${name}" is not a folder, but preserved paths lie below it (${below.join(', ')}); restoring it would delete them; the run was not touched`,
        );
      }
      const mode = unix ? fullMode & 0o7777 : isDir ? 0o755 : 0o644;
      const mtime = entry.getLastModDate();
      const parts = rel.split('/');
      await realFolders(stage, isDir ? parts : parts.slice(0, -1), name, folders);
      if (isDir) {
        planned.push({ rel, type: 'dir', mode, mtime });
        continue;
      }
      const stream = await zip.openReadStreamPromise(entry);
      const check = new Crc32Check();
      if (isLink) {
        const chunks: Buffer[] = [];
        await pipeline(stream, check, async (source: AsyncIterable<Buffer>) => {
          for await (const c of source) chunks.push(c);
        });
        const linkTarget = Buffer.concat(chunks).toString('utf8');
        if (linkTarget === '' || linkTarget.includes('\0'))
          throw new RunDirsGuardError(
            'ZIP_SLIP',
            `archive entry "${name}" is a symlink with an empty or NUL target; the run was not touched`,
          );
        if (check.crc !== entry.crc32 >>> 0) throw new Error(`archive entry "${name}": CRC mismatch`);
        await symlink(linkTarget, dest);
        planned.push({ rel, type: 'symlink', mode, mtime });
        continue;
      }
      await pipeline(stream, check, createWriteStream(dest, { flags: 'wx', mode: 0o600 }));
      if (check.crc !== entry.crc32 >>> 0) throw new Error(`archive entry "${name}": CRC mismatch (archive corrupt)`);
      planned.push({ rel, type: 'file', mode, mtime });
    }
  } finally {
    zip.close();
  }
  // Where a link lands depends on the links around it, so each is judged on the whole extracted tree, by the
  // same rule that refuses to archive an outside link (an absolute target counts by the run's own names).
  const roots = await rootNames(runRoot);
  for (const e of planned) {
    if (e.type !== 'symlink') continue;
    const landing = await landingOf(roots, e.rel, stage);
    if (!landing.inside)
      throw new RunDirsGuardError(
        'ZIP_SLIP',
        `archive entry "${e.rel}" is a symlink that lands outside the run (${landing.why}); the run was not touched`,
      );
  }
  return { entries: planned, skipped };
}

export interface RestoreResult {
  ref: string;
  entries: number;
  skipped: string[];
  ms: number;
}

/**
 * Where an interrupted restore leaves its note, so the next attempt finishes it from the same archive. It
 * lives with Tidemark's own state, not in `archives/` (where zips are dropped, synced and downloaded): a
 * note planted there must never make a guard restore anything.
 */
export const RESTORE_JOURNAL = `${SNAPSHOTS_DIR}/archive-restore.json`;
/** Where versions before 0.2 kept it; one found there is never acted on (see snapshot-guard.ts). */
export const LEGACY_RESTORE_JOURNAL = 'archives/.tidemark-restore.json';

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) hash.update(chunk);
  });
  return hash.digest('hex');
}

/**
 * Restores the run to the archive's content. The archive is verified and extracted to a staging folder
 * inside `archives/` first; only then is the run cleared (except preserved paths) and the staged tree
 * moved in, so a corrupt or malicious archive never costs the run anything.
 */
export interface RestoreOptions {
  preserve?: readonly string[];
  /**
   * Restore only if the zip still has this sha256 (the one recorded when it was written): a replaced zip is refused.
   */
  sha256?: string;
}

export async function restoreRunArchive(
  dir: string,
  ref: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const t0 = performance.now();
  const root = resolve(dir);
  const preserved = normalizePreserved(options.preserve);
  const zipPath = await resolveArchiveRef(root, ref);
  if (options.sha256 !== undefined) {
    const found = await sha256OfFile(zipPath);
    if (found !== options.sha256) {
      throw new RunDirsGuardError(
        'RESTORE_FAILED',
        `archive "${ref}" is not the archive that was recorded (sha256 ${found.slice(0, 12)}…, expected ${options.sha256.slice(0, 12)}…): it was replaced or changed; refusing to restore from it; the run was not touched`,
      );
    }
  }
  const staging = join(root, 'archives', `.restoring-${randomUUID().slice(0, 8)}`);
  await mkdir(staging, { mode: 0o700 });
  let report: ExtractReport;
  try {
    report = await extractVerified(zipPath, staging, root, preserved);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof RunDirsGuardError) throw error;
    throw new RunDirsGuardError(
      'RESTORE_FAILED',
      `archive "${relative(root, zipPath)}" failed its test: ${(error as Error).message}; the run was not touched`,
      { cause: error },
    );
  }
  await writeJsonDurable(join(root, RESTORE_JOURNAL), {
    ref: relative(root, zipPath).split(sep).join('/'),
    staging: relative(root, staging),
    ...(options.sha256 === undefined ? {} : { sha256: options.sha256 }),
    at: new Date().toISOString(),
  });
  try {
    await clearExcept(
      root,
      (rel) => isPreserved(rel, preserved),
      (rel) => holdsPreserved(rel, preserved),
    );
    await moveInto(staging, root);
    await rm(staging, { recursive: true, force: true });
    await applyModesAndTimes(root, report.entries);
    await fsyncDir(root);
  } catch (error) {
    throw new RunDirsGuardError(
      'RESTORE_FAILED',
      `restore from "${ref}" was interrupted: ${(error as Error).message}; rerun the restore (it starts over from the archive)`,
      { cause: error },
    );
  }
  await removeDurable(join(root, RESTORE_JOURNAL));
  return {
    ref: relative(root, zipPath).split(sep).join('/'),
    entries: report.entries.length,
    skipped: report.skipped,
    ms: Math.round(performance.now() - t0),
  };
}

/** Finishes a restore that a crash interrupted (the run may be half cleared). Returns the ref, or null. */
export async function finishInterruptedRestore(
  dir: string,
  options: { preserve?: readonly string[] } = {},
): Promise<string | null> {
  const root = resolve(dir);
  let journal: { ref: string; staging?: string; sha256?: string };
  try {
    journal = JSON.parse(await readFile(join(root, RESTORE_JOURNAL), 'utf8')) as {
      ref: string;
      staging?: string;
      sha256?: string;
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RunDirsGuardError(
      'JOURNAL_UNVERIFIED',
      `${RESTORE_JOURNAL} is unreadable (${(error as Error).message}); an interrupted restore cannot be finished from it. Restore by hand (restoreRunArchive) and delete it`,
    );
  }
  for (const name of await readdir(join(root, 'archives'))) {
    if (name.startsWith('.restoring-')) await rm(join(root, 'archives', name), { recursive: true, force: true });
  }
  await restoreRunArchive(root, journal.ref, { ...options, ...(journal.sha256 ? { sha256: journal.sha256 } : {}) });
  return journal.ref;
}

/** Removes leftovers of an archive write that a crash interrupted (`*.zip.tmp`). */
export async function removeStaleArchiveTemps(dir: string): Promise<string[]> {
  const archives = join(resolve(dir), 'archives');
  let names: string[];
  try {
    names = await readdir(archives);
  } catch {
    return [];
  }
  const stale = names.filter((n) => n.endsWith('.zip.tmp'));
  for (const n of stale) await unlink(join(archives, n));
  return stale;
}
