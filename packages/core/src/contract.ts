// The contract every plugin implements. It names no database, file format or network: a Target is whatever
// the plugin says it is (a folder path, a pg client, a Sheets client + spreadsheet id, a mongoose connection).
// It depends on nothing: the planner, the runner and the events build on these types, never the reverse.

/** Evidence that a trait found a legacy shape: a human summary plus structured details for reports. */
export interface Evidence {
  summary: string;
  details?: Record<string, unknown>;
}

/** What a migration or validator sees while it runs. */
export interface MigrationContext<T> {
  readonly target: T;
  /** Label of the target for messages (secrets already redacted). */
  readonly targetLabel: string;
  readonly migrationId: string;
  readonly direction: 'up' | 'down' | 'validate';
  /** Aborted when the runner is asked to stop (e.g. SIGTERM): finish the current batch, then return. */
  readonly signal: AbortSignal;
  /** Progress ticks (rows, files, requests) for every sink. */
  progress(done: number, total?: number, note?: string): void;
  /** A note for the log and event stream. */
  log(message: string, data?: Record<string, unknown>): void;
  /** A warning the run must report (e.g. a row skipped with its reason). */
  warn(message: string, data?: Record<string, unknown>): void;
  /** Resumable work: a JSON cursor saved in the ledger; survives a crash. Null when nothing was saved. */
  readonly checkpoint: Checkpoint;
  /**
   * Attaches data to this step's own ledger entry (`LedgerEntry.data`), e.g. the id of a backup its `down`
   * or a later rollback must find on another machine. Calls merge: top-level keys replace earlier ones, a
   * key given as `undefined` is removed. The value is copied and redacted at the call; anything JSON would
   * change (a Date, a Map, NaN, a bigint, a cycle) throws, naming the field. Kept in memory until the
   * runner records the entry: the `applied` entry when the step succeeds, the `failed` one when it fails.
   * Only in `up`: in `down` and `validate` it throws (`down` removes the entry, a validator never writes).
   */
  record(data: Record<string, unknown>): void;
}

export interface Checkpoint {
  load<C = unknown>(): Promise<C | null>;
  save(data: unknown): Promise<void>;
  clear(): Promise<void>;
}

export interface ValidationIssue {
  message: string;
  /** Where: a file, row, field, collection... */
  where?: string;
}

/** A validator returns nothing or an empty list when the result is good. It never writes. */
export type Validator<T> = (ctx: MigrationContext<T>) => Promise<ValidationIssue[] | void>;

export interface Migration<T> {
  /** Stable id; ordering among independent migrations is by id. */
  readonly id: string;
  readonly title: string;
  /** Ids that must be applied (or baselined) before this one. */
  readonly requires?: readonly string[];
  up(ctx: MigrationContext<T>): Promise<void>;
  /** No `down` means irreversible: rollback then needs a snapshot guard that recorded a snapshot. */
  down?(ctx: MigrationContext<T>): Promise<void>;
  validate?: Validator<T>;
  /** Feature flags / contexts this migration belongs to; a run may select contexts. Empty = always. */
  readonly contexts?: readonly string[];
  /** A plugin version bundle this migration belongs to (e.g. 1001); the plugin's stamp is raised to it. */
  readonly version?: number;
  /** Bump to change the checksum on purpose; the checksum otherwise follows the definition's source. */
  readonly revision?: number;
  /** Computed by `defineMigration` from the definition; a changed checksum on an applied id is drift. */
  readonly checksum: string;
  /**
   * Checksums earlier releases of this migration recorded, whose work the current definition still stands
   * behind (a refactor that changes the source, not what the step does or undoes): an applied entry
   * recorded with one of them is no drift.
   */
  readonly previousChecksums?: readonly string[];
}

/** A read-only detector of a legacy shape. */
export interface Trait<T> {
  readonly id: string;
  readonly title: string;
  /** Migration ids that fix this shape. Empty when only something outside Tidemark can fix it. */
  readonly fixes: readonly string[];
  /** Set when the fix needs an external tool (e.g. a Python model): reported, never pretended. */
  readonly external?: string;
  detect(target: T, ctx: DetectContext): Promise<Evidence | null>;
}

export interface DetectContext {
  readonly targetLabel: string;
  readonly signal: AbortSignal;
}

export type LedgerOutcome = 'applied' | 'baselined' | 'failed';

export interface LedgerEntry {
  id: string;
  checksum: string;
  outcome: LedgerOutcome;
  /** ISO-8601. */
  at: string;
  durationMs: number;
  /** Who: "user@host:pid". */
  by: string;
  /** The run that wrote this entry. */
  runId: string;
  /** Why it was baselined / what failed. Secrets redacted. */
  note?: string;
  /** A snapshot taken before this step's run that can restore the target (irreversible rollback). */
  snapshot?: SnapshotRef;
  /** The plugin's version stamp before this entry's run, so `down` can put it back; null: none was stored. */
  versionBefore?: number | null;
  /**
   * What the step attached with `ctx.record` (JSON, secrets redacted); absent when it recorded nothing.
   * Baselines and "interrupted" records carry none. A ledger must give it back exactly as recorded.
   */
  data?: Record<string, unknown>;
}

export interface SnapshotRef {
  guard: string;
  ref: string;
}

export interface LockHolder {
  /** Unique per runner instance. */
  token: string;
  host: string;
  pid: number;
  /** ISO-8601. */
  since: string;
}

export interface LockState extends LockHolder {
  /** ISO-8601; after this the lock is free for anyone. */
  expiresAt: string;
}

/**
 * A lease, not a mutex: every acquire carries a ttl, so a crashed holder's lock expires by itself and no
 * state ever needs a manual "unlock". `acquire` must be atomic and must take over an expired lease.
 */
export interface Lock {
  acquire(holder: LockHolder, ttlMs: number): Promise<boolean>;
  /** Extends the lease; false when the lease was lost (expired and taken). */
  renew(holder: LockHolder, ttlMs: number): Promise<boolean>;
  release(holder: LockHolder): Promise<void>;
  inspect(): Promise<LockState | null>;
}

export interface Ledger {
  /** Every entry, in the order recorded. */
  read(): Promise<LedgerEntry[]>;
  /** Insert or replace the entry with this id. */
  record(entry: LedgerEntry): Promise<void>;
  remove(id: string): Promise<void>;
  readonly lock: Lock;
  /** Checkpoint storage for resumable migrations; without it checkpoints live in memory for one run. */
  readonly checkpoints?: CheckpointStore;
  /**
   * True when the ledger lives inside the target (a file in a run directory, a hidden sheet), so a
   * snapshot restore also restores the ledger. The runner then re-reads it instead of rewriting it.
   */
  readonly insideTarget?: boolean;
  /**
   * The runner marks a trait-gated step "interrupted" in the ledger while it runs, so a process killed
   * mid-step is retried rather than baselined. A ledger whose every write is a metered API call may opt out
   * when its traits already recognise half-done steps.
   */
  readonly skipIntentRecords?: boolean;
}

export interface CheckpointStore {
  load(migrationId: string): Promise<unknown>;
  save(migrationId: string, data: unknown): Promise<void>;
  clear(migrationId: string): Promise<void>;
}

export interface GuardContext<T> {
  readonly target: T;
  readonly targetLabel: string;
  readonly runId: string;
  readonly command: 'up' | 'down';
  readonly signal: AbortSignal;
  /**
   * The steps this run will apply (up) or revert (down), in order. Empty on an `up` that only records
   * baselines: a snapshot guard may skip its snapshot then, a read-only guard must still refuse.
   */
  readonly steps: readonly string[];
  emit(action: string, detail?: Record<string, unknown>): void;
  /** A snapshot guard calls this after taking a snapshot; the ref is stored with each step of the run. */
  snapshotTaken(ref: string): void;
  /** A guard calls this after it restored the target to its state before the run. */
  restored(): void;
}

export interface StepGuardContext<T> extends GuardContext<T> {
  readonly migrationId: string;
  readonly direction: 'up' | 'down';
}

/**
 * Middleware around the run and/or each step. Guards compose in the declared order: the first is the
 * outermost. A guard that restores on failure must rethrow the error after restoring.
 */
export interface PreflightContext<T> {
  readonly target: T;
  readonly targetLabel: string;
  readonly command: 'up' | 'down';
  readonly signal: AbortSignal;
}

export interface Guard<T> {
  readonly name: string;
  /**
   * Runs before the lease is taken or anything is written (a read-only target must not even get a lock
   * file). Throw to refuse; nothing has been touched then. Not called for plans and dry-runs.
   */
  preflight?(ctx: PreflightContext<T>): Promise<void>;
  aroundRun?(ctx: GuardContext<T>, next: () => Promise<void>): Promise<void>;
  aroundStep?(ctx: StepGuardContext<T>, next: () => Promise<void>): Promise<void>;
  /** A snapshot guard can restore a snapshot it took earlier: this is how irreversible steps roll back. */
  restore?(ctx: GuardContext<T>, ref: string): Promise<void>;
}

/** A copy of the target (or a transaction) to apply a plan on and throw away. */
export interface RehearsalSession<T> {
  readonly target: T;
  /** What changed between the original and the rehearsed target. */
  diff(): Promise<ChangeSummary>;
  dispose(): Promise<void>;
}

export interface ChangeSummary {
  summary: string;
  changes: { kind: 'added' | 'removed' | 'changed'; path: string; detail?: string }[];
}

export interface VersionStamp<T> {
  /** The target's version; a stamp that may be absent derives one (e.g. "legacy" or "current"). */
  read(target: T): Promise<number>;
  write(target: T, version: number): Promise<void>;
  /**
   * Optional, as a pair, for a stamp that may not be stored at all: whether one is, and taking it away. With
   * both, `down` past a run that found no stamp removes the one that run wrote instead of writing `read`'s guess.
   */
  stored?(target: T): Promise<boolean>;
  remove?(target: T): Promise<void>;
}

export interface Plugin<T> {
  readonly name: string;
  readonly migrations: readonly Migration<T>[];
  readonly traits?: readonly Trait<T>[];
  /** Default guards, outermost first. */
  readonly guards?: readonly Guard<T>[];
  ledger(target: T): Ledger;
  /** A label for messages and events; must not contain secrets. */
  describe(target: T): string;
  /** Optional version marker kept besides the ledger (e.g. `nodb.version`). */
  readonly stamp?: VersionStamp<T>;
  /** Optional: apply on a copy or inside a rolled-back transaction. */
  rehearse?(target: T): Promise<RehearsalSession<T>>;
  /** Optional: write the target's state as plain, diffable files (a fixture case's `before/`). */
  capture?(target: T, dir: string): Promise<void>;
  /** Optional: the source of a new migration file for `tidemark new` (TypeScript, imports included). */
  scaffold?(input: ScaffoldInput): ScaffoldOutput;
  /** Optional: a report printed after each `up`/`down` (e.g. a runbook checklist); never fails the command. */
  report?(target: T, context: ReportContext): Promise<PluginReport> | PluginReport;
}

export interface ReportContext {
  command: 'up' | 'down';
  /** The run's result; absent when the run failed. */
  result?: RunResult;
  /** Why the run failed. */
  error?: unknown;
}

export interface PluginReport {
  /** For people. */
  text: string;
  /** For machines (`--json`). */
  data?: unknown;
}

export interface ScaffoldInput {
  /** e.g. "004_add_index" */
  id: string;
  title: string;
  /** A valid identifier derived from the id, e.g. "m004AddIndex". */
  exportName: string;
  /** The plugin's name. */
  plugin?: string;
  /** The new fixture case's folder, relative to the migrations folder (for the generated test). */
  fixtureDir?: string;
  /**
   * The config's target the migration is for: the app's one index lists migrations per target
   * (`export const migrations = { <target>: [...] }`), so the test reads `migrations.<target>`.
   */
  target?: string;
}

export interface ScaffoldOutput {
  /** Source of src/migrations/<id>.ts. */
  migration: string;
  /** Source of the test that runs it on its fixture case; the CLI writes a generic one when absent. */
  test?: string;
}

/** What `plan` computes, never mutating: the steps to run and why, what to baseline, drift. */
export type StepReason =
  | { kind: 'pending' }
  | { kind: 'trait'; trait: string; evidence: Evidence }
  | { kind: 'retry'; previous: string }
  | { kind: 'drift-repair'; trait: string; evidence: Evidence };

export interface PlannedStep {
  id: string;
  title: string;
  reasons: StepReason[];
  /** One line for people. */
  why: string;
}

export interface BaselineStep {
  id: string;
  title: string;
  /** Why it is recorded as done without running. */
  note: string;
}

export type Drift =
  | { kind: 'checksum'; id: string; recorded: string; current: string }
  | { kind: 'legacy-shape'; id: string; trait: string; evidence: Evidence }
  | { kind: 'unknown-migration'; id: string };

export interface ExternalFinding {
  trait: string;
  title: string;
  needs: string;
  evidence: Evidence;
}

export interface Plan {
  target: string;
  steps: PlannedStep[];
  baseline: BaselineStep[];
  drift: Drift[];
  /** Legacy shapes only something outside Tidemark can fix, with evidence. */
  external: ExternalFinding[];
  /** Ids the ledger says are applied or baselined, in plan order. */
  applied: string[];
  /** Every trait finding, by trait id (null = not detected; absent = not checked). */
  findings: Record<string, Evidence | null>;
}

/** The result of an `up` or `down`. */
export interface RunResult {
  runId: string;
  outcome: 'ok' | 'nothing-to-do' | 'dry-run';
  plan: Plan;
  applied: string[];
  baselined: string[];
  reverted: string[];
  durationMs: number;
}
