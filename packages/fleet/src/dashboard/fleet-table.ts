// The dashboard's view of the fleet: every run's row in memory (loaded from the run index once, then kept
// current from the status channels), queried with server-side filters, sorting and paging so the page
// only ever receives one page of rows, however many runs there are.
import type { FleetRunState } from '../runs/run-state.js';
import type { StatusMessage } from '../status/channels.js';

export interface TableQuery {
  q?: string;
  status?: string;
  trait?: string;
  version?: string;
  /** Source host of a synced run (`(local)` for runs never synced). */
  source?: string;
  owner?: string;
  page?: number;
  size?: number;
  sort?: 'run' | 'version' | 'status' | 'updated';
}

export interface TableRow extends FleetRunState {
  live?: {
    event: string;
    at: string;
    migration?: string;
    index?: number;
    total?: number;
    done?: number;
    message?: string;
    job?: string;
  };
}

export interface TablePage {
  total: number;
  all: number;
  page: number;
  size: number;
  rows: TableRow[];
  facets: {
    statuses: Record<string, number>;
    traits: Record<string, number>;
    versions: Record<string, number>;
    sources: Record<string, number>;
    owners: Record<string, number>;
  };
  tookMs: number;
}

/** `failed:NODB_LOCKED` -> `failed`; the filter and facet work on the family. */
export function statusFamily(status: string | null | undefined): string {
  if (!status) return 'never';
  return status.split(':')[0]!;
}

export class FleetTable {
  private readonly rows = new Map<string, TableRow>();

  get size(): number {
    return this.rows.size;
  }

  load(states: readonly FleetRunState[]): void {
    for (const s of states) this.upsert(s);
  }

  upsert(state: FleetRunState): void {
    const live = this.rows.get(state.runId)?.live;
    this.rows.set(state.runId, { ...state, ...(live ? { live } : {}) });
  }

  get(runId: string): TableRow | undefined {
    return this.rows.get(runId);
  }

  /** Applies a live status message to the run's row. */
  apply(message: StatusMessage): void {
    const row = this.rows.get(message.runId);
    if (!row) return;
    row.live = {
      event: message.event,
      at: message.at,
      ...(message.job ? { job: message.job } : {}),
      ...(message.migration ? { migration: message.migration } : {}),
      ...(message.index === undefined ? {} : { index: message.index }),
      ...(message.total === undefined ? {} : { total: message.total }),
      ...(message.done === undefined ? {} : { done: message.done }),
      ...(message.message ? { message: message.message.slice(0, 300) } : {}),
    };
    if (message.event === 'ENQUEUED') row.lastStatus = `queued:${message.job ?? 'migration'}`;
    else if (message.event === 'STARTED') row.lastStatus = `running:${message.job ?? 'migration'}`;
  }

  query(query: TableQuery): TablePage {
    const t0 = performance.now();
    const size = Math.min(500, Math.max(1, query.size ?? 100));
    const q = query.q?.trim().toLowerCase();
    const facets: TablePage['facets'] = { statuses: {}, traits: {}, versions: {}, sources: {}, owners: {} };
    const matched: TableRow[] = [];
    for (const row of this.rows.values()) {
      if (q && !row.runId.toLowerCase().includes(q) && !row.config.toLowerCase().includes(q)) continue;
      const family = statusFamily(row.lastStatus);
      const version = row.version === null ? 'unknown' : String(row.version);
      const traits = row.traits ?? [];
      // Each facet counts rows that pass the OTHER filters, so its options never lead to an empty table.
      const okStatus = !query.status || family === query.status;
      const okTrait =
        !query.trait ||
        (query.trait === '(none)'
          ? row.traits !== null && traits.length === 0
          : query.trait === '(not scanned)'
            ? row.traits === null
            : traits.includes(query.trait));
      const okVersion = !query.version || version === query.version;
      const source = row.sourceHost ?? '(local)';
      const owner = row.owner ?? '(none)';
      const okSource = !query.source || source === query.source;
      const okOwner = !query.owner || owner === query.owner;
      const count = (facet: Record<string, number>, key: string) => (facet[key] = (facet[key] ?? 0) + 1);
      if (okStatus && okTrait && okVersion && okOwner) count(facets.sources, source);
      if (okStatus && okTrait && okVersion && okSource) count(facets.owners, owner);
      if (!okSource || !okOwner) continue;
      if (okTrait && okVersion) facets.statuses[family] = (facets.statuses[family] ?? 0) + 1;
      if (okStatus && okVersion) {
        if (row.traits === null) facets.traits['(not scanned)'] = (facets.traits['(not scanned)'] ?? 0) + 1;
        else if (traits.length === 0) facets.traits['(none)'] = (facets.traits['(none)'] ?? 0) + 1;
        for (const t of traits) facets.traits[t] = (facets.traits[t] ?? 0) + 1;
      }
      if (okStatus && okTrait) facets.versions[version] = (facets.versions[version] ?? 0) + 1;
      if (okStatus && okTrait && okVersion) matched.push(row);
    }
    const sort = query.sort ?? 'run';
    // Code-unit order (run ids are ASCII): several times faster than localeCompare over 10,000 rows.
    const by = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    const cmp: Record<string, (a: TableRow, b: TableRow) => number> = {
      run: (a, b) => by(a.runId, b.runId),
      version: (a, b) => (a.version ?? -1) - (b.version ?? -1) || by(a.runId, b.runId),
      status: (a, b) => by(a.lastStatus ?? '', b.lastStatus ?? '') || by(a.runId, b.runId),
      updated: (a, b) => by(b.updatedAt, a.updatedAt) || by(a.runId, b.runId),
    };
    matched.sort(cmp[sort] ?? cmp.run!);
    const pages = Math.max(1, Math.ceil(matched.length / size));
    const page = Math.min(pages, Math.max(1, query.page ?? 1));
    return {
      total: matched.length,
      all: this.rows.size,
      page,
      size,
      rows: matched.slice((page - 1) * size, page * size),
      facets,
      tookMs: Math.round((performance.now() - t0) * 10) / 10,
    };
  }
}
