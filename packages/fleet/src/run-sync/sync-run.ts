// The run-sync job's work (the seed's `run_sync_rq`): fetch the source's manifest, download every file
// into a staging folder beside the root (resumable across attempts), verify sizes and sha256, write
// `.provenance.json`, move the run into the standard tree, upsert the registry row. An existing run is
// replaced only with `overwrite`, and never when it is READONLY, `.nodb`-locked or under a live lease.
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { redact } from '@tidemark/core';
import { findNodbLocks, isReadonlyRun, LOCK_FILE, runDirLedger, writeProvenance, type Provenance, type RedisCommander, type RunRegistry } from '@tidemark/plugin-run-dirs';
import { resolveRunDir, standardRunDir } from '../jobs/resolve-run.js';
import type { StatusEventName, StatusMessage } from '../status/channels.js';
import { downloadFile, SyncError } from './download.js';
import { checkManifest, type RunManifest } from './manifest.js';
import { DEFAULT_PUSH_HOSTS, sourceBaseUrl, type RunSyncRequest } from './request.js';

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
  if (request.allowPush !== true) throw new SyncError('PUSH_NOT_ALLOWED', `run-sync with ${host} pushes a run upstream; it needs the explicit "allow push" flag`, true);
  if (!request.authToken) throw new SyncError('PUSH_TOKEN_REQUIRED', `run-sync with ${host} (allow push) needs an auth token`, true);
}

async function refuseUnsafeOverwrite(dir: string, runid: string, request: RunSyncRequest, redis: RedisCommander | undefined): Promise<void> {
  if (await isReadonlyRun(dir)) throw new SyncError('READONLY', `run ${runid} at ${dir} is READONLY; it is never overwritten`, true);
  if (redis) {
    const locks = await findNodbLocks(redis, { dir, runId: runid });
    if (locks.length > 0) throw new SyncError('NODB_LOCKED', `run ${runid} has locked .nodb files (${locks.map((l) => l.file).join(', ')}); the web app is writing it, it is not overwritten`, true);
  }
  const lease = await runDirLedger({ dir, runId: runid }).lock.inspect();
  if (lease) throw new SyncError('LOCKED', `run ${runid} is locked by ${lease.host}:${lease.pid} (a migration or restore is running); it is not overwritten`, true);
  if (!request.overwrite) throw new SyncError('EXISTS', `run ${runid} already exists at ${dir}; tick "overwrite" to replace it`, true);
}

export async function syncRun(options: RunSyncOptions): Promise<RunSyncResult> {
  const { request } = options;
  const status = options.onStatus ?? (() => undefined);
  const doFetch = options.fetch ?? globalThis.fetch;
  if (!request.runid || !request.sourceHost) throw new SyncError('BAD_REQUEST', 'run-sync needs a runid and a source host', true);
  checkPushGuard(request, options.pushHosts);
  const root = resolve(request.targetRoot ?? options.root);
  const existing = await resolveRunDir(root, request.runid);
  if (existing) await refuseUnsafeOverwrite(existing, request.runid, request, options.redis);
  const dest = existing ?? standardRunDir(root, request.runid);

  const base = sourceBaseUrl(request.sourceHost);
  const runUrl = new URL(`runs/${encodeURIComponent(request.runid)}/`, base);
  const headers: Record<string, string> = request.authToken ? { authorization: `Bearer ${request.authToken}` } : {};
  const where = redact(runUrl.toString());

  let manifest: RunManifest;
  {
    const res = await doFetch(new URL('manifest', runUrl), { headers, ...(options.signal ? { signal: options.signal } : {}) }).catch((error: unknown) => {
      throw new SyncError('NETWORK', `cannot reach ${where}: ${redact((error as Error).message)}`, false);
    });
    if (res.status === 404) throw new SyncError('HTTP_404', `${where}manifest: 404 Not Found (no run ${request.runid} on ${base.host})`, true);
    if (!res.ok) throw new SyncError(`HTTP_${res.status}`, `${where}manifest: the source answered ${res.status}`, res.status >= 500);
    try {
      manifest = checkManifest(await res.json(), request.runid);
    } catch (error) {
      throw new SyncError('BAD_MANIFEST', (error as Error).message, true);
    }
  }

  const staging = join(root, STAGING_DIR, request.runid);
  await mkdir(staging, { recursive: true });
  const total = manifest.files.reduce((n, f) => n + f.size, 0);
  let done = 0;
  let fetched = 0;
  let resumed = 0;
  let lastNote = 0;
  const every = options.progressEveryMs ?? 250;
  status('DOWNLOADING', { done: 0, total, message: `${manifest.files.length} files, ${total} bytes from ${base.host}` });
  for (const file of manifest.files) {
    const r = await downloadFile({
      url: new URL(`files/${file.path.split('/').map(encodeURIComponent).join('/')}`, runUrl),
      dest: join(staging, file.path),
      file,
      headers,
      fetch: doFetch,
      ...(options.signal ? { signal: options.signal } : {}),
      onBytes: (n) => {
        done += n;
        if (Date.now() - lastNote >= every) {
          lastNote = Date.now();
          status('DOWNLOADING', { done, total, message: file.path });
        }
      },
    });
    fetched += r.fetched;
    if (r.resumedFrom > 0) resumed++;
    if (file.mode !== undefined) await chmod(join(staging, file.path), file.mode & 0o777);
  }
  status('CHECKSUM_OK', { done: total, total, message: `${manifest.files.length} files verified (size + sha256)` });

  // Anything in staging that the manifest does not list (a file the source removed since) goes.
  const listed = new Set(manifest.files.map((f) => f.path));
  const prune = async (dir: string, rel: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await prune(join(dir, e.name), r);
      else if (!listed.has(r)) await rm(join(dir, e.name), { force: true });
    }
  };
  await prune(staging, '');

  const provenance: Provenance = {
    runid: request.runid,
    config: request.config || manifest.config || '',
    source_host: base.host,
    pulled_at: new Date().toISOString(),
    original_url: redact(runUrl.toString()),
    ...(request.ownerEmail ? { owner_email: request.ownerEmail } : {}),
    ...(typeof manifest.version === 'number' ? { version_at_pull: manifest.version } : {}),
    ...(request.notes ? { notes: request.notes } : {}),
  };
  if (!provenance.config) throw new SyncError('BAD_REQUEST', `run-sync of ${request.runid}: no config given and the manifest names none`, true);
  await writeProvenance({ dir: staging, runId: request.runid }, provenance);
  status('PROVENANCE_WRITTEN', { message: '.provenance.json written' });

  // Swap into place. A replaced run is moved aside first and removed only once the new one is in.
  let replaced = false;
  await mkdir(join(dest, '..'), { recursive: true });
  if (await exists(dest)) {
    await refuseUnsafeOverwrite(dest, request.runid, request, options.redis); // again, right before the swap
    const aside = join(root, STAGING_DIR, `${request.runid}.replaced-${Date.now()}`);
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
  return { runid: request.runid, dir: dest, files: manifest.files.length, bytes: total, fetched, resumed, replaced, provenance, registered };
}
