// One session per target: the official Sheets v4 / Drive v3 clients (loaded lazily), every call retried on
// 429/5xx/network errors with exponential backoff + full jitter (honouring Retry-After), and every HTTP
// attempt counted, so a run can report exactly how many requests it cost.
import type { drive_v3 } from '@googleapis/drive';
import type { sheets_v4 } from '@googleapis/sheets';
import { TidemarkError, redact } from '@tidemark/core';
import type { VerificationReport } from './checks.js';

export const PLUGIN = 'plugin-sheets';

/** What google-auth-library accepts as `auth`: an OAuth2Client / JWT / GoogleAuth instance, or an API key. */
export type AuthLike = object | string;

export interface RetryOptions {
  /** Retries after the first attempt. Default 6. */
  retries?: number;
  /** First backoff in ms; doubles per attempt, full jitter. Default 500. */
  baseDelayMs?: number;
  /** Cap for one wait (also caps Retry-After). Default 32 000. */
  maxDelayMs?: number;
}

export interface RequestStats {
  /** Every HTTP attempt, retries included. */
  requests: number;
  reads: number;
  writes: number;
  retries: number;
  byOperation: Record<string, number>;
}

export type CallKind = 'read' | 'write' | 'structure' | 'meta';

/** Sheets-side cache of what we last read, invalidated by our own writes to the grid. */
interface Cache {
  props?: sheets_v4.Schema$Spreadsheet;
  values?: { key: string; ranges: sheets_v4.Schema$ValueRange[] };
}

export class SheetsSession {
  readonly stats: RequestStats = { requests: 0, reads: 0, writes: 0, retries: 0, byOperation: {} };
  readonly cache: Cache = {};
  /** What this process learned during a run (e.g. the backup it made), so later steps need not re-read it. */
  backup: { fileId: string; at: string; verified?: boolean } | undefined;
  lastReport: VerificationReport | undefined;
  /** Set by the layout trait when it finds the sheet already at v3.0 with an empty ledger: the evidence of adoption. */
  adopted: string | undefined;
  private sheetsClient: sheets_v4.Sheets | undefined;
  private driveClient: drive_v3.Drive | undefined;
  private readonly retry: Required<RetryOptions>;

  constructor(
    private readonly options: {
      auth?: AuthLike;
      rootUrl?: string;
      sheets?: sheets_v4.Sheets;
      drive?: drive_v3.Drive;
      retry?: RetryOptions;
      sleep?: (ms: number) => Promise<void>;
    },
  ) {
    this.sheetsClient = options.sheets;
    this.driveClient = options.drive;
    this.retry = { retries: 6, baseDelayMs: 500, maxDelayMs: 32_000, ...options.retry };
  }

  async sheets(): Promise<sheets_v4.Sheets> {
    if (!this.sheetsClient) {
      const { sheets } = await import('@googleapis/sheets');
      this.sheetsClient = sheets({
        version: 'v4',
        auth: this.options.auth as never,
        ...(this.options.rootUrl ? { rootUrl: this.options.rootUrl } : {}),
      });
    }
    return this.sheetsClient;
  }

  async drive(): Promise<drive_v3.Drive> {
    if (!this.driveClient) {
      const { drive } = await import('@googleapis/drive');
      this.driveClient = drive({
        version: 'v3',
        auth: this.options.auth as never,
        ...(this.options.rootUrl ? { rootUrl: this.options.rootUrl } : {}),
      });
    }
    return this.driveClient;
  }

  resetStats(): void {
    Object.assign(this.stats, { requests: 0, reads: 0, writes: 0, retries: 0, byOperation: {} });
  }

  /** A grid write makes cached values stale; a structural one (insert/delete columns) also the sheet properties. */
  invalidate(kind: CallKind): void {
    if (kind === 'write' || kind === 'structure') delete this.cache.values;
    if (kind === 'structure') delete this.cache.props;
  }

  /**
   * Runs one API call with our retry policy. gaxios' own retry is switched off (`retry: false` per call) so
   * every attempt passes through here and is counted.
   */
  async call<R>(op: string, kind: CallKind, fn: (opts: { retry: false }) => Promise<{ data: R }>): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      this.stats.requests++;
      this.stats.byOperation[op] = (this.stats.byOperation[op] ?? 0) + 1;
      if (kind === 'read') this.stats.reads++;
      else this.stats.writes++;
      try {
        const res = await fn({ retry: false });
        this.invalidate(kind);
        return res.data;
      } catch (error) {
        const info = describeApiError(error);
        // A write that may have reached the server changes what we cached, whether or not it answered.
        if (kind !== 'read') this.invalidate(kind);
        if (!info.retryable || attempt >= this.retry.retries) throw new ApiCallError(op, info, error);
        this.stats.retries++;
        const backoff = Math.random() * Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
        const wait = Math.min(this.retry.maxDelayMs, Math.max(backoff, (info.retryAfterSec ?? 0) * 1000));
        await (this.options.sleep ?? sleep)(wait);
      }
    }
  }
}

export interface ApiErrorInfo {
  /** HTTP status; 0 when no response arrived (network error). */
  code: number;
  status: string;
  message: string;
  retryable: boolean;
  retryAfterSec: number | undefined;
}

export function describeApiError(error: unknown): ApiErrorInfo {
  const e = error as {
    status?: number;
    code?: unknown;
    response?: { status?: number; data?: any; headers?: any };
    message?: string;
  };
  const code = e?.response?.status ?? (typeof e?.status === 'number' ? e.status : 0);
  const body = e?.response?.data?.error;
  const headers = e?.response?.headers;
  const retryAfterRaw = typeof headers?.get === 'function' ? headers.get('retry-after') : headers?.['retry-after'];
  const retryAfter = retryAfterRaw === undefined || retryAfterRaw === null ? undefined : Number(retryAfterRaw);
  const message = typeof body?.message === 'string' ? body.message : String(e?.message ?? error);
  return {
    code,
    status: typeof body?.status === 'string' ? body.status : code === 0 ? 'NETWORK' : String(code),
    message: redact(message),
    retryable: code === 0 || code === 408 || code === 429 || code >= 500,
    retryAfterSec: Number.isFinite(retryAfter) ? retryAfter : undefined,
  };
}

/** An API call that failed for good: names the operation, the HTTP code and Google's message. */
export class ApiCallError extends TidemarkError {
  constructor(
    readonly op: string,
    readonly info: ApiErrorInfo,
    cause: unknown,
  ) {
    super('STEP_FAILED', `${op} failed: ${info.code || 'network error'} ${info.status}: ${info.message}`, {
      plugin: PLUGIN,
    });
    void cause;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
