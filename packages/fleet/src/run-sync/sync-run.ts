// The run-sync job's work (the seed's `run_sync_rq`), on WEPPcloud's own protocol: fetch the run's
// `aria2c.spec`, download every file it lists into a staging folder beside the root (aria2c when installed,
// else the built-in resumable downloader), verify sizes and sha256 where the source declares them (Tidemark's
// manifest extension), write `.provenance.json`, move the run into place, upsert the registry row. An existing
// run is replaced only with `overwrite`, and never when it is READONLY, `.nodb`-locked or under a live lease.
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { chmod } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { redact } from '@tidemark/core';
import {
  findNodbLocks,
  isReadonlyRun,
  LOCK_FILE,
  runDirLedger,
  writeProvenance,
  type Provenance,
  type RedisCommander,
  type RunRegistry,
} from '@tidemark/plugin-run-dirs';
import { resolveRunDir, standardRunDir } from '../jobs/resolve-run.js';
import type { StatusEventName, StatusMessage } from '../status/channels.js';
import { checkPathComponent, parseAria2Spec, SPEC_NAME, TIDEMARK_MANIFEST_NAME, wepppyRunUrl } from './aria2-spec.js';
import { downloadWithAria2c, findAria2c } from './aria2c.js';
import { downloadFile, SyncError, type DownloadFile } from './download.js';
import { checkManifest, type RunManifest } from './manifest.js';
import { DEFAULT_PUSH_HOSTS, DEFAULT_SOURCE_HOST, sourceBaseUrl, type RunSyncRequest } from './request.js';

export interface RunSyncOptions {
  request: RunSyncRequest;
  /** Default root when the request names none. */
  root: string;
  /** Hosts that need allowPush + a token. Default the seed's `wc.bearhive.duckdns.org`. */
  pushHosts?: readonly string[];
  redis?: RedisCommander;
  registry?: RunRegistry;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onStatus?: (event: StatusEventName, fields?: Partial<StatusMessage>) => void;
  /** Minimum time between two DOWNLOADING messages. Default 250 ms. */
  progressEveryMs?: number;
  /**
   * Hosts a request may name as its source (host names, or base URLs for a host:port). Default: WEPPcloud's
   * `wepp.cloud` and the push hosts. Anything else is refused before any request is sent.
   */
  allowedSourceHosts?: readonly string[];
  /**
   * Folders a request may name as `targetRoot` (a run then lands at `<targetRoot>/<runid>/<config>`). Default: none but
   * `root`.
   */
  allowedTargetRoots?: readonly string[];
  /**
   * 'auto' (default): aria2c when installed, else the built-in downloader. A private run (the request has an
   * auth token) always uses the built-in one, and 'aria2c' with a token is refused (`ARIA2C_WITH_TOKEN`):
   * aria2c can only be given the token in its argv or input file.
   */
  downloader?: 'auto' | 'aria2c' | 'builtin';
  /** Cap for a file whose size the source does not declare. */
  maxFileBytes?: number;
}

export interface RunSyncResult {
  runid: string;
  dir: string;
  files: number;
  bytes: number;
  /** Bytes that came over the network in this attempt (less than `bytes` after a resume). */
  fetched: number;
  resumed: number;
  replaced: boolean;
  provenance: Provenance;
  registered: boolean;
}

export const STAGING_DIR = '.tidemark-sync';

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/** The seed's guard: syncing with a push host needs an explicit allowPush and an auth token. */
export function checkPushGuard(request: RunSyncRequest, pushHosts: readonly string[] = DEFAULT_PUSH_HOSTS): void {
  const host = sourceBaseUrl(request.sourceHost).hostname.toLowerCase();
  if (!pushHosts.map((h) => h.toLowerCase()).includes(host)) return;
  if (request.allowPush !== true)
    throw new SyncError(
      'PUSH_NOT_ALLOWED',
      `run-sync with ${host} pushes a run upstream; it needs the explicit "allow push" flag`,
      true,
    );
  if (!request.authToken)
    throw new SyncError('PUSH_TOKEN_REQUIRED', `run-sync with ${host} (allow push) needs an auth token`, true);
}

async function refuseUnsafeOverwrite(
  dir: string,
  runid: string,
  request: RunSyncRequest,
  redis: RedisCommander | undefined,
): Promise<void> {
  if (await isReadonlyRun(dir))
    throw new SyncError('READONLY', `run ${runid} at ${dir} is READONLY; it is never overwritten`, true);
  if (redis) {
    const locks = await findNodbLocks(redis, { dir, runId: runid });
    if (locks.length > 0)
      throw new SyncError(
        'NODB_LOCKED',
        `run ${runid} has locked .nodb files (${locks.map((l) => l.file).join(', ')}); the web app is writing it, it is not overwritten`,
        true,
      );
  }
  const lease = await runDirLedger({ dir, runId: runid }).lock.inspect();
  if (lease)
    throw new SyncError(
      'LOCKED',
      `run ${runid} is locked by ${lease.host}:${lease.pid} (a migration or restore is running); it is not overwritten`,
      true,
    );
  if (!request.overwrite)
    throw new SyncError('EXISTS', `run ${runid} already exists at ${dir}; tick "overwrite" to replace it`, true);
}

/** An allow-list entry without a port allows the host on any port; `host:port` or a base URL only that port. */
function hostAllowed(list: readonly string[], url: URL): boolean {
  return list.some((entry) => {
    const e = sourceBaseUrl(entry.includes('://') ? entry : `https://${entry}`);
    return e.port
      ? e.host.toLowerCase() === url.host.toLowerCase()
      : e.hostname.toLowerCase() === url.hostname.toLowerCase();
  });
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

/** Where the run goes: `<targetRoot>/<runid>/<config>` as the real job puts it, or the worker's standard tree. */
async function destinationOf(
  request: RunSyncRequest,
  options: RunSyncOptions,
  config: string,
): Promise<{ root: string; dest: string; existing: string | null }> {
  if (!request.targetRoot) {
    const root = resolve(options.root);
    const existing = await resolveRunDir(root, request.runid);
    return { root, dest: existing ?? standardRunDir(root, request.runid), existing };
  }
  const root = resolve(request.targetRoot);
  const allowed = [options.root, ...(options.allowedTargetRoots ?? [])].map((r) => resolve(r));
  if (!allowed.some((a) => isInside(a, root))) {
    throw new SyncError(
      'TARGET_ROOT_NOT_ALLOWED',
      `target root ${root} is not one of the allowed roots (${allowed.join(', ')}); add it to the worker's allowed target roots`,
      true,
    );
  }
  const dest = join(root, request.runid, config);
  if (!isInside(root, dest))
    throw new SyncError('BAD_REQUEST', `run-sync: ${request.runid}/${config} leaves the target root`, true);
  return { root, dest, existing: (await stat(dest).catch(() => null))?.isDirectory() ? dest : null };
}

export async function syncRun(options: RunSyncOptions): Promise<RunSyncResult> {
  const { request } = options;
  const status = options.onStatus ?? (() => undefined);
  const doFetch = options.fetch ?? globalThis.fetch;
  if (!request.runid || !request.sourceHost)
    throw new SyncError('BAD_REQUEST', 'run-sync needs a runid and a source host', true);
  const config = request.config || 'cfg';
  try {
    checkPathComponent('run id', request.runid);
    checkPathComponent('config', config);
  } catch (error) {
    throw new SyncError('BAD_REQUEST', (error as Error).message, true);
  }
  checkPushGuard(request, options.pushHosts);
  if (request.authToken && options.downloader === 'aria2c') {
    throw new SyncError(
      'ARIA2C_WITH_TOKEN',
      `run-sync of ${request.runid}: the request carries an auth token (a private run) and the downloader is forced to aria2c, which would hold the token in its command line or input file (readable in ps / by the worker's user); use downloader 'auto' or 'builtin' (private runs then use the built-in downloader)`,
      true,
    );
  }
  const base = sourceBaseUrl(request.sourceHost);
  if (
    !hostAllowed(
      options.allowedSourceHosts ?? [DEFAULT_SOURCE_HOST, ...(options.pushHosts ?? DEFAULT_PUSH_HOSTS)],
      base,
    )
  ) {
    throw new SyncError(
      'SOURCE_NOT_ALLOWED',
      `source host ${base.host} is not in the allowed source hosts; add it to the worker's allow-list`,
      true,
    );
  }
  const { root, dest, existing } = await destinationOf(request, options, config);
  if (existing) await refuseUnsafeOverwrite(existing, request.runid, request, options.redis);

  const runUrl = wepppyRunUrl(base, request.runid, config);
  const headers: Record<string, string> = request.authToken ? { authorization: `Bearer ${request.authToken}` } : {};
  const where = redact(runUrl.toString());
  const get = (name: string) =>
    doFetch(new URL(name, runUrl), { headers, ...(options.signal ? { signal: options.signal } : {}) }).catch(
      (error: unknown) => {
        throw new SyncError('NETWORK', `cannot reach ${where}: ${redact((error as Error).message)}`, false);
      },
    );

  let files: (DownloadFile & { url: URL; mode?: number })[];
  let manifest: RunManifest | null = null;
  {
    const res = await get(SPEC_NAME);
    if (res.status === 404)
      throw new SyncError(
        'HTTP_404',
        `${where}${SPEC_NAME}: 404 Not Found (no run ${request.runid}/${config} on ${base.host})`,
        true,
      );
    if (res.status === 401 || res.status === 403)
      throw new SyncError(
        `HTTP_${res.status}`,
        `${where}${SPEC_NAME}: the source refused access (${res.status}); check the auth token`,
        true,
      );
    if (!res.ok)
      throw new SyncError(
        `HTTP_${res.status}`,
        `${where}${SPEC_NAME}: the source answered ${res.status}`,
        res.status >= 500,
      );
    let entries;
    try {
      entries = parseAria2Spec(await res.text(), runUrl, request.runid);
    } catch (error) {
      throw new SyncError('BAD_SPEC', (error as Error).message, true);
    }
    // Sizes and sha256 when the source is a Tidemark host; a real WEPPcloud has none (404).
    const m = await get(TIDEMARK_MANIFEST_NAME);
    if (m.ok) {
      try {
        manifest = checkManifest(await m.json(), request.runid);
      } catch (error) {
        throw new SyncError('BAD_MANIFEST', (error as Error).message, true);
      }
    } else m.body?.cancel().catch(() => undefined);
    const declared = new Map((manifest?.files ?? []).map((f) => [f.path, f]));
    if (manifest && (declared.size !== entries.length || entries.some((e) => !declared.has(e.path)))) {
      throw new SyncError(
        'BAD_MANIFEST',
        `${where}: ${SPEC_NAME} and ${TIDEMARK_MANIFEST_NAME} list different files`,
        true,
      );
    }
    files = entries.map((e) => {
      const d = declared.get(e.path);
      return {
        path: e.path,
        url: e.url,
        ...(d ? { size: d.size, sha256: d.sha256, ...(d.mode !== undefined ? { mode: d.mode } : {}) } : {}),
      };
    });
  }

  const staging = join(root, STAGING_DIR, request.runid, config);
  await mkdir(staging, { recursive: true });
  const known = files.every((f) => f.size !== undefined);
  const total = known ? files.reduce((n, f) => n + f.size!, 0) : undefined;
  let done = 0;
  let fetched = 0;
  let resumed = 0;
  let lastNote = 0;
  const every = options.progressEveryMs ?? 250;
  // A token never reaches aria2c (refused above when aria2c is forced): a private run takes the built-in downloader.
  const useAria2c =
    !request.authToken &&
    (options.downloader === 'aria2c' || (options.downloader !== 'builtin' && findAria2c() !== null));
  status('DOWNLOADING', {
    done: 0,
    ...(total === undefined ? {} : { total }),
    message: `${files.length} files${total === undefined ? '' : `, ${total} bytes`} from ${base.host}${useAria2c ? ' (aria2c)' : ''}`,
  });
  if (useAria2c) {
    await downloadWithAria2c({ files, dir: staging, ...(options.signal ? { signal: options.signal } : {}) });
  }
  // The built-in downloader does the work without aria2c, and after aria2c checks every declared size and
  // sha256 (a complete file costs a hash, no request).
  for (const file of files) {
    const r = await downloadFile({
      url: file.url,
      dest: join(staging, file.path),
      file,
      headers,
      fetch: doFetch,
      ...(options.maxFileBytes ? { maxBytes: options.maxFileBytes } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onBytes: (n) => {
        done += n;
        if (Date.now() - lastNote >= every) {
          lastNote = Date.now();
          status('DOWNLOADING', { done, ...(total === undefined ? {} : { total }), message: file.path });
        }
      },
    });
    fetched += r.fetched;
    file.size ??= r.size;
    if (r.resumedFrom > 0 && r.fetched > 0) resumed++;
    if (file.mode !== undefined) await chmod(join(staging, file.path), file.mode & 0o777);
  }
  const bytes = files.reduce((n, f) => n + (f.size ?? 0), 0);
  status('CHECKSUM_OK', {
    done: bytes,
    total: bytes,
    message: `${files.length} files verified (${known ? 'size + sha256' : 'size; the source declares no checksums'})`,
  });

  // Anything in staging that the spec does not list (a file the source removed since, aria2c's control
  // files) goes; then every listed file must be there.
  const listed = new Set(files.map((f) => f.path));
  const prune = async (dir: string, rel: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await prune(join(dir, e.name), r);
      else if (!listed.has(r)) await rm(join(dir, e.name), { force: true });
    }
  };
  await prune(staging, '');
  for (const f of files) {
    if ((await stat(join(staging, f.path)).catch(() => null))?.size !== f.size)
      throw new SyncError('INCOMPLETE', `${f.path} is missing from the staged copy after the download`, false);
  }

  const provenance: Provenance = {
    runid: request.runid,
    config,
    source_host: base.host,
    pulled_at: new Date().toISOString(),
    original_url: redact(runUrl.toString()),
    ...(request.ownerEmail ? { owner_email: request.ownerEmail } : {}),
    ...(typeof manifest?.version === 'number' ? { version_at_pull: manifest.version } : {}),
    ...(request.notes ? { notes: request.notes } : {}),
  };
  await writeProvenance({ dir: staging, runId: request.runid }, provenance);
  status('PROVENANCE_WRITTEN', { message: '.provenance.json written' });

  // Swap into place. A replaced run is moved aside first and removed only once the new one is in.
  let replaced = false;
  await mkdir(join(dest, '..'), { recursive: true });
  if (await exists(dest)) {
    await refuseUnsafeOverwrite(dest, request.runid, request, options.redis); // again, right before the swap
    const aside = join(root, STAGING_DIR, `${request.runid}.${config}.replaced-${Date.now()}`);
    await rename(dest, aside);
    try {
      await rename(staging, dest);
    } catch (error) {
      await rename(aside, dest);
      throw error;
    }
    await rm(aside, { recursive: true, force: true });
    replaced = true;
  } else {
    await rename(staging, dest);
  }
  await rm(join(dest, LOCK_FILE), { force: true });

  let registered = false;
  if (options.registry) {
    await options.registry.upsert({
      runid: request.runid,
      config: provenance.config,
      local_path: dest,
      source_host: provenance.source_host,
      original_url: provenance.original_url ?? null,
      pulled_at: provenance.pulled_at,
      owner_email: provenance.owner_email ?? null,
      version_at_pull: provenance.version_at_pull ?? null,
      last_status: 'synced',
    });
    registered = true;
    status('REGISTERED', { message: `registry row ${request.runid}/${provenance.config} upserted` });
  }
  // only when no other config of it is staging
  await rmdir(join(root, STAGING_DIR, request.runid)).catch(() => undefined);
  return {
    runid: request.runid,
    dir: dest,
    files: files.length,
    bytes,
    fetched,
    resumed,
    replaced,
    provenance,
    registered,
  };
}
