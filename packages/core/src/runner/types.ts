// What a runner takes and gives back. `RunResult` lives in the contract (plugins' reports read it).
import type {
  ChangeSummary,
  Guard,
  LedgerEntry,
  LockState,
  Plan,
  Plugin,
  RunResult,
  ValidationIssue,
} from '../contract.js';
import type { EventListener, EventStream } from '../events.js';
import type { LeaseOptions } from '../lease.js';

export interface RunnerOptions<T> {
  plugin: Plugin<T>;
  target: T;
  /** Replaces the plugin's default guards (outermost first). */
  guards?: readonly Guard<T>[];
  /** Added after (inside) the plugin's default guards. */
  extraGuards?: readonly Guard<T>[];
  events?: EventStream;
  onEvent?: EventListener | undefined;
  lock?: LeaseOptions;
  /** Feature flags: only migrations without contexts or with one of these. Undefined = all. */
  contexts?: readonly string[];
  /** Recorded as "by" in the ledger. Default user@host:pid. */
  by?: string;
  signal?: AbortSignal;
  /**
   * Milliseconds since the epoch, read for the `at` of ledger entries and events. Default `Date.now`; a test passes
   * a fixed clock (`testClock().now` from @tidemark/testing) so the recorded times are deterministic.
   */
  clock?: () => number;
}

export interface UpOptions {
  to?: string;
  dryRun?: boolean;
  repairDrift?: boolean;
}

export interface DownOptions {
  /** Keep this id applied and revert everything after it; null reverts everything. */
  to: string | null;
  dryRun?: boolean;
}

export interface VerifyReport {
  ok: boolean;
  plan: Plan;
  validation: { id: string; issues: ValidationIssue[] }[];
}

export interface StatusReport {
  target: string;
  entries: LedgerEntry[];
  pending: string[];
  unknown: string[];
  lock: LockState | null;
  version: number | null;
}

export interface RehearsalReport {
  plan: Plan;
  outcome: 'ok' | 'failed';
  applied: string[];
  error?: string;
  diff: ChangeSummary;
}

export interface Runner {
  plan(options?: Omit<UpOptions, 'dryRun'>): Promise<Plan>;
  up(options?: UpOptions): Promise<RunResult>;
  down(options: DownOptions): Promise<RunResult>;
  verify(): Promise<VerifyReport>;
  status(): Promise<StatusReport>;
  rehearse(options?: Omit<UpOptions, 'dryRun'>): Promise<RehearsalReport>;
  readonly events: EventStream;
}
