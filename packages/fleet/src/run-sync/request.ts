// The seed's `run_sync_rq` inputs. `authToken` is a secret: it travels in the job data only and is never
// published, logged or written to `.provenance.json`.
import { createError } from '@tidemark/core';

export interface RunSyncRequest {
  runid: string;
  config: string;
  /** Source host: a hostname (`wepp.cloud`, https assumed) or a base URL (`http://127.0.0.1:8080`). */
  sourceHost: string;
  ownerEmail?: string;
  /** Where to put the run; default the worker's root (the standard tree `<root>/<prefix>/<runid>`). */
  targetRoot?: string;
  authToken?: string;
  /** In a queued job: the key suffix under which the queue keeps `authToken` (the job's data never holds it). */
  authTokenRef?: string;
  /** Required (with a token) when the host is a push host (dev -> prod). */
  allowPush?: boolean;
  /** Replace an existing run (never a READONLY or locked one). */
  overwrite?: boolean;
  notes?: string;
}

export const DEFAULT_SOURCE_HOST = 'wepp.cloud';
/** Hosts that receive runs pushed upstream; syncing with one needs `allowPush` and a token (the seed's guard). */
export const DEFAULT_PUSH_HOSTS: readonly string[] = ['wc.bearhive.duckdns.org'];

export function sourceBaseUrl(host: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `https://${host}`;
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw createError('fleet', `run-sync: source host "${host}" must be http(s)`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** A copy without the secret, for events, logs and job listings. */
export function publicRequest(
  request: RunSyncRequest,
): Omit<RunSyncRequest, 'authToken' | 'authTokenRef'> & { authToken?: '***' } {
  const { authToken, authTokenRef, ...rest } = request;
  return authToken || authTokenRef ? { ...rest, authToken: '***' } : rest;
}
