// msw handlers for sheets.googleapis.com (v4), www.googleapis.com/drive/v3 and the OAuth token endpoint,
// over one GoogleModel. Every request is logged (read or write), and faults can be injected: a status on the
// Nth request, a network cut from the Nth request on (before or after the server applied it), per-window quotas.
import { http, HttpResponse, type HttpHandler } from 'msw';
import { setupServer } from 'msw/node';
import { ApiError, GoogleModel, type SheetSeed, type ValueInputOption, type ValueRenderOption } from './model.js';

export interface RecordedRequest {
  n: number;
  method: string;
  /** e.g. sheets.values.get, sheets.batchUpdate, drive.files.copy */
  op: string;
  write: boolean;
  fileId: string | undefined;
  /** For batchUpdate: the request kinds, e.g. ["insertDimension","updateCells"]. */
  detail?: string[];
  status: number;
}

interface StatusFault {
  nth: number;
  status: number;
  retryAfterSec?: number;
}

interface Cut {
  from: number;
  afterApply: boolean;
}

export interface Quota {
  readsPerWindow?: number;
  writesPerWindow?: number;
  /** Default 60 000 (the documented per-minute quotas). */
  windowMs?: number;
}

const SHEETS = 'https://sheets.googleapis.com';
const DRIVE = 'https://www.googleapis.com/drive/v3';
const UPLOAD_TOKEN = 'https://oauth2.googleapis.com/token';

const canonical: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

function errorBody(code: number, status: string, message: string, drive = false) {
  // Drive v3 also lists `errors[]` (domain/reason) besides the canonical fields.
  return {
    error: {
      code,
      message,
      status,
      ...(drive
        ? { errors: [{ domain: 'global', reason: status === 'NOT_FOUND' ? 'notFound' : 'backendError', message }] }
        : {}),
    },
  };
}

export class GoogleEmulator {
  readonly model: GoogleModel;
  readonly requests: RecordedRequest[] = [];
  private counter = 0;
  private statusFaults: StatusFault[] = [];
  private cut: Cut | null = null;
  private quota: Required<Quota> | null = null;
  private window = { start: 0, reads: 0, writes: 0 };
  private clock: () => number;
  /** Tokens the token endpoint has issued, plus any test token set by `allowToken`. */
  private readonly tokens = new Set<string>(['test-access-token']);

  constructor(options: { clock?: () => number } = {}) {
    this.clock = options.clock ?? Date.now;
    this.model = new GoogleModel(() => this.clock());
  }

  setClock(clock: () => number): void {
    this.clock = clock;
    this.model.setClock(clock);
  }

  createSpreadsheet(title: string, sheets: SheetSeed[]): string {
    return this.model.createSpreadsheet(title, sheets);
  }

  /** Requests counted so far (every attempt, including failed ones). */
  get count(): number {
    return this.counter;
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.write);
  }

  resetLog(): void {
    this.requests.length = 0;
  }

  /** The request numbered `nth` (1-based, counted from the emulator's start) answers with this status. */
  failRequest(nth: number, status: number, retryAfterSec?: number): void {
    this.statusFaults.push({ nth, status, ...(retryAfterSec === undefined ? {} : { retryAfterSec }) });
  }

  /** From the `nth` request on, the network is down. With afterApply, the nth request reaches the server first. */
  cutNetworkAt(nth: number, afterApply = false): void {
    this.cut = { from: nth, afterApply };
  }

  restoreNetwork(): void {
    this.cut = null;
  }

  setQuota(quota: Quota | null): void {
    this.quota = quota ? { readsPerWindow: Infinity, writesPerWindow: Infinity, windowMs: 60_000, ...quota } : null;
    this.window = { start: this.clock(), reads: 0, writes: 0 };
  }

  handlers(): HttpHandler[] {
    return [
      http.post(UPLOAD_TOKEN, async ({ request }) => {
        const form = new URLSearchParams(await request.text());
        if (!form.get('assertion') && !form.get('refresh_token'))
          return HttpResponse.json({ error: 'invalid_grant', error_description: 'missing assertion' }, { status: 400 });
        const token = `emu-${Math.random().toString(36).slice(2)}`;
        this.tokens.add(token);
        return HttpResponse.json({ access_token: token, expires_in: 3600, token_type: 'Bearer' });
      }),
      http.all(`${SHEETS}/v4/*`, ({ request }) => this.handle(request, 'sheets')),
      http.all(`${DRIVE}/*`, ({ request }) => this.handle(request, 'drive')),
    ];
  }

  /** A started msw server; close it in afterAll. */
  listen(): ReturnType<typeof setupServer> {
    const server = setupServer(...this.handlers());
    server.listen({ onUnhandledRequest: 'error' });
    return server;
  }

  private async handle(request: Request, api: 'sheets' | 'drive'): Promise<Response> {
    const n = ++this.counter;
    const url = new URL(request.url);
    const body =
      request.method === 'GET' || request.method === 'DELETE'
        ? undefined
        : await request.text().then((t) => (t ? JSON.parse(t) : {}));
    let route: Route;
    try {
      route =
        api === 'sheets' ? this.routeSheets(request.method, url, body) : this.routeDrive(request.method, url, body);
    } catch (error) {
      return this.fail(n, request.method, 'unknown', false, undefined, error, api === 'drive');
    }
    const record = (status: number) =>
      this.requests.push({
        n,
        method: request.method,
        op: route.op,
        write: route.write,
        fileId: route.fileId,
        ...(route.detail ? { detail: route.detail } : {}),
        status,
      });

    if (this.cut && n >= this.cut.from && !(this.cut.afterApply && n === this.cut.from)) {
      record(0);
      return HttpResponse.error();
    }
    const auth = request.headers.get('authorization') ?? '';
    const key = url.searchParams.get('key');
    if (!key && !this.tokens.has(auth.replace(/^Bearer\s+/i, ''))) {
      record(401);
      return HttpResponse.json(
        errorBody(
          401,
          'UNAUTHENTICATED',
          'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
          api === 'drive',
        ),
        { status: 401 },
      );
    }
    const fault = this.statusFaults.find((f) => f.nth === n);
    if (fault) {
      record(fault.status);
      const headers: Record<string, string> =
        fault.retryAfterSec === undefined ? {} : { 'retry-after': String(fault.retryAfterSec) };
      const message =
        fault.status === 429
          ? 'Quota exceeded.'
          : fault.status === 503
            ? 'The service is currently unavailable.'
            : 'Internal error encountered.';
      return HttpResponse.json(
        errorBody(fault.status, canonical[fault.status] ?? 'UNKNOWN', message, api === 'drive'),
        { status: fault.status, headers },
      );
    }
    if (this.quota) {
      const now = this.clock();
      if (now - this.window.start >= this.quota.windowMs) this.window = { start: now, reads: 0, writes: 0 };
      const over = route.write
        ? this.window.writes >= this.quota.writesPerWindow
        : this.window.reads >= this.quota.readsPerWindow;
      if (over) {
        record(429);
        const retryAfter = Math.max(1, Math.ceil((this.window.start + this.quota.windowMs - now) / 1000));
        const metric = route.write ? 'Write requests' : 'Read requests';
        return HttpResponse.json(
          errorBody(
            429,
            'RESOURCE_EXHAUSTED',
            `Quota exceeded for quota metric '${metric}' and limit '${metric} per minute per user' of service '${api}.googleapis.com' for consumer 'project_number:0'.`,
            api === 'drive',
          ),
          { status: 429, headers: { 'retry-after': String(retryAfter) } },
        );
      }
      if (route.write) this.window.writes++;
      else this.window.reads++;
    }
    try {
      const result = route.run();
      record(result === null ? 204 : 200);
      if (this.cut?.afterApply && n === this.cut.from) return HttpResponse.error();
      return result === null ? new HttpResponse(null, { status: 204 }) : HttpResponse.json(result);
    } catch (error) {
      return this.fail(n, request.method, route.op, route.write, route.fileId, error, api === 'drive', record);
    }
  }

  private fail(
    n: number,
    method: string,
    op: string,
    write: boolean,
    fileId: string | undefined,
    error: unknown,
    drive: boolean,
    record?: (s: number) => void,
  ): Response {
    if (!(error instanceof ApiError)) throw error;
    if (record) record(error.code);
    else this.requests.push({ n, method, op, write, fileId, status: error.code });
    return HttpResponse.json(errorBody(error.code, error.status, error.message, drive), {
      status: error.code,
      headers: error.headers,
    });
  }

  private routeSheets(method: string, url: URL, body: any): Route {
    const path = url.pathname.replace(/^\/v4\/spreadsheets\/?/, '');
    const q = url.searchParams;
    const segments = path.split('/');
    const idPart = segments[0] ?? '';
    const [rawId, idVerb] = idPart.split(':') as [string, string | undefined];
    const id = decodeURIComponent(rawId);
    const m = this.model;
    const get = () => m.spreadsheet(id);
    const render = (q.get('valueRenderOption') ?? body?.valueRenderOption ?? 'FORMATTED_VALUE') as ValueRenderOption;
    const input = (q.get('valueInputOption') ?? body?.valueInputOption) as ValueInputOption | undefined;
    const needInput = () => {
      if (input !== 'RAW' && input !== 'USER_ENTERED')
        throw new ApiError(400, 'INVALID_ARGUMENT', "'valueInputOption' is required but not specified");
      return input;
    };

    if (segments.length === 1 && !idVerb && method === 'GET') {
      return {
        op: 'sheets.get',
        write: false,
        fileId: id,
        run: () => m.describe(get(), q.get('includeGridData') === 'true' ? { ranges: q.getAll('ranges') } : null),
      };
    }
    if (segments.length === 1 && idVerb === 'batchUpdate' && method === 'POST') {
      const kinds = (body?.requests ?? []).map((r: object) => Object.keys(r)[0]);
      return {
        op: 'sheets.batchUpdate',
        write: true,
        fileId: id,
        detail: kinds,
        run: () => {
          const replies = m.batchUpdate(id, body?.requests);
          const out: Record<string, unknown> = { spreadsheetId: id, replies };
          if (body?.includeSpreadsheetInResponse)
            out.updatedSpreadsheet = m.describe(
              get(),
              body.responseIncludeGridData ? { ranges: body.responseRanges ?? [] } : null,
            );
          return out;
        },
      };
    }
    if (segments[1] === 'developerMetadata:search' && method === 'POST') {
      return {
        op: 'sheets.developerMetadata.search',
        write: false,
        fileId: id,
        run: () => {
          const s = get();
          const matched = (body?.dataFilters ?? []).flatMap((f: unknown) =>
            m.matchMetadata(s, f).map((dm) => ({ developerMetadata: structuredClone(dm), dataFilters: [f] })),
          );
          return matched.length ? { matchedDeveloperMetadata: matched } : {};
        },
      };
    }
    if (segments[1] === 'developerMetadata' && segments[2] && method === 'GET') {
      const metadataId = Number(segments[2]);
      return {
        op: 'sheets.developerMetadata.get',
        write: false,
        fileId: id,
        run: () => {
          const found = get().metadata.find((x) => x.metadataId === metadataId);
          if (!found) throw new ApiError(404, 'NOT_FOUND', `No developer metadata with ID: ${metadataId}`);
          return structuredClone(found) as unknown as Record<string, unknown>;
        },
      };
    }
    const valuesVerb = segments[1]?.startsWith('values:') ? segments[1].slice('values:'.length) : undefined;
    if (valuesVerb === 'batchGet' && method === 'GET') {
      return {
        op: 'sheets.values.batchGet',
        write: false,
        fileId: id,
        run: () => {
          const s = get();
          return { spreadsheetId: id, valueRanges: q.getAll('ranges').map((r) => m.getValues(s, r, render)) };
        },
      };
    }
    if (valuesVerb === 'batchUpdate' && method === 'POST') {
      return {
        op: 'sheets.values.batchUpdate',
        write: true,
        fileId: id,
        run: () => {
          const s = get();
          const how = needInput();
          const writes = (body?.data ?? []).map((d: any) => m.prepareWrite(s, d.range, d.values ?? [], how));
          for (const w of writes) w.apply();
          const responses = writes.map((w: { result: Record<string, any> }) => w.result);
          const sum = (k: string) => responses.reduce((a: number, r: Record<string, any>) => a + (r[k] ?? 0), 0);
          return {
            spreadsheetId: id,
            totalUpdatedRows: sum('updatedRows'),
            totalUpdatedColumns: sum('updatedColumns'),
            totalUpdatedCells: sum('updatedCells'),
            totalUpdatedSheets: new Set(responses.map((r: Record<string, any>) => String(r.updatedRange).split('!')[0]))
              .size,
            responses,
          };
        },
      };
    }
    if (valuesVerb === 'batchClear' && method === 'POST') {
      return {
        op: 'sheets.values.batchClear',
        write: true,
        fileId: id,
        run: () => {
          const s = get();
          return {
            spreadsheetId: id,
            clearedRanges: (body?.ranges ?? []).map((r: string) => m.clearValues(s, r).clearedRange),
          };
        },
      };
    }
    if (segments[1] === 'values' && segments[2]) {
      const [rawRange, verb] = segments[2].split(':') as [string, string | undefined];
      const range = decodeURIComponent(rawRange);
      if (!verb && method === 'GET')
        return { op: 'sheets.values.get', write: false, fileId: id, run: () => m.getValues(get(), range, render) };
      if (!verb && method === 'PUT') {
        return {
          op: 'sheets.values.update',
          write: true,
          fileId: id,
          run: () => {
            const w = m.prepareWrite(get(), body?.range ?? range, body?.values ?? [], needInput());
            w.apply();
            return w.result;
          },
        };
      }
      if (verb === 'append' && method === 'POST') {
        return {
          op: 'sheets.values.append',
          write: true,
          fileId: id,
          run: () =>
            m.append(
              get(),
              range,
              body?.values ?? [],
              needInput(),
              (q.get('insertDataOption') ?? 'OVERWRITE') as 'INSERT_ROWS' | 'OVERWRITE',
            ),
        };
      }
      if (verb === 'clear' && method === 'POST')
        return { op: 'sheets.values.clear', write: true, fileId: id, run: () => m.clearValues(get(), range) };
    }
    throw new ApiError(404, 'NOT_FOUND', `The emulator does not model ${method} ${url.pathname}`);
  }

  private routeDrive(method: string, url: URL, body: any): Route {
    const segments = url.pathname.replace(/^\/drive\/v3\//, '').split('/');
    const m = this.model;
    if (segments[0] !== 'files')
      throw new ApiError(404, 'NOT_FOUND', `The emulator does not model ${method} ${url.pathname}`);
    const id = segments[1] ? decodeURIComponent(segments[1]) : undefined;
    if (id && segments[2] === 'copy' && method === 'POST') {
      return { op: 'drive.files.copy', write: true, fileId: id, run: () => driveFile(m.copyFile(id, body ?? {})) };
    }
    if (id && !segments[2] && method === 'GET')
      return { op: 'drive.files.get', write: false, fileId: id, run: () => driveFile(m.file(id), true) };
    if (id && !segments[2] && method === 'DELETE') {
      return {
        op: 'drive.files.delete',
        write: true,
        fileId: id,
        run: () => {
          m.deleteFile(id);
          return null;
        },
      };
    }
    if (!id && method === 'GET') {
      return {
        op: 'drive.files.list',
        write: false,
        fileId: undefined,
        run: () => {
          const q = url.searchParams.get('q') ?? '';
          const props = [...q.matchAll(/appProperties has \{ key='([^']*)' and value='([^']*)' \}/g)];
          const files = [...m.files.values()].filter(
            (f) => !f.trashed && props.every(([, k, v]) => f.appProperties[k!] === v),
          );
          return { kind: 'drive#fileList', incompleteSearch: false, files: files.map((f) => driveFile(f, true)) };
        },
      };
    }
    throw new ApiError(404, 'NOT_FOUND', `The emulator does not model ${method} ${url.pathname}`);
  }
}

interface Route {
  op: string;
  write: boolean;
  fileId: string | undefined;
  detail?: string[];
  run: () => Record<string, unknown> | null;
}

function driveFile(
  f: {
    id: string;
    name: string;
    mimeType: string;
    createdTime: string;
    modifiedTime: string;
    appProperties: Record<string, string>;
    parents: string[];
    trashed: boolean;
  },
  full = false,
) {
  return {
    kind: 'drive#file',
    id: f.id,
    name: f.name,
    mimeType: f.mimeType,
    ...(full
      ? {
          createdTime: f.createdTime,
          modifiedTime: f.modifiedTime,
          appProperties: f.appProperties,
          parents: f.parents,
          trashed: f.trashed,
        }
      : {}),
  };
}
