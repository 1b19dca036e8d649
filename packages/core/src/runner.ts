// The runner: plan, up, down, verify, status, rehearse. Guards wrap the run and each step; on failure the
// guards restore and the ledger is reconciled so it tells the truth about what the target now holds.
import { randomUUID } from 'node:crypto';
import type {
  ChangeSummary,
  Evidence,
  Guard,
  GuardContext,
  Ledger,
  LedgerEntry,
  LockState,
  Migration,
  MigrationContext,
  Plugin,
  SnapshotRef,
  StepGuardContext,
  ValidationIssue,
} from './contract.js';
import { orderMigrations } from './dag.js';
import { mergeEntryData, type EntryData } from './entry-data.js';
import { TidemarkError, isTidemarkError } from './errors.js';
import { EventStream, type TidemarkEvent } from './events.js';
import { acquireLease, whoAmI, type Lease, type LeaseOptions } from './lease.js';
import { computePlan, hasWork, inContexts, type Plan } from './plan.js';
import { describeError } from './redact.js';

type Listener = (event: TidemarkEvent) => void;

export interface RunnerOptions<T> {
  plugin: Plugin<T>;
  target: T;
  /** Replaces the plugin's default guards (outermost first). */
  guards?: readonly Guard<T>[];
  /** Added after (inside) the plugin's default guards. */
  extraGuards?: readonly Guard<T>[];
  events?: EventStream;
  onEvent?: Listener;
  lock?: LeaseOptions;
  /** Feature flags: only migrations without contexts or with one of these. Undefined = all. */
  contexts?: readonly string[];
  /** Recorded as "by" in the ledger. Default user@host:pid. */
  by?: string;
  signal?: AbortSignal;
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

export interface RunResult {
  runId: string;
  outcome: 'ok' | 'nothing-to-do' | 'dry-run';
  plan: Plan;
  applied: string[];
  baselined: string[];
  reverted: string[];
  durationMs: number;
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

/** Thrown inside the guard chain by a migration; guards see it, restore, and rethrow. */
class StepFailure extends Error {
  constructor(
    readonly migration: string,
    readonly phase: 'up' | 'down' | 'validate' | 'ledger',
    override readonly cause: unknown,
  ) {
    super(`${migration} ${phase}: ${describeError(cause)}`);
  }
}

class GuardFailure extends Error {
  constructor(
    readonly guard: string,
    override readonly cause: unknown,
  ) {
    super(`guard ${guard}: ${describeError(cause)}`);
  }
}

export function createRunner<T>(options: RunnerOptions<T>): Runner {
  const { plugin, target } = options;
  const events = options.events ?? new EventStream();
  if (options.onEvent) events.on(options.onEvent);
  const label = plugin.describe(target);
  const ledger = plugin.ledger(target);
  const guards = [...(options.guards ?? plugin.guards ?? []), ...(options.extraGuards ?? [])];
  const by = options.by ?? whoAmI();
  const ordered = orderMigrations(plugin.migrations, plugin.name);
  const byId = new Map(ordered.map((m) => [m.id, m]));
  const outerSignal = options.signal ?? new AbortController().signal;
  const runLayers = guards.filter((g) => g.aroundRun).map((g) => ({ name: g.name, fn: g.aroundRun!.bind(g) }));
  const stepLayers = guards.filter((g) => g.aroundStep).map((g) => ({ name: g.name, fn: g.aroundStep!.bind(g) }));
  /** Migrations that saved or resumed a checkpoint: only theirs are cleared (a remote ledger pays per request). */
  const checkpointed = new Set<string>();
  const gated = new Set((plugin.traits ?? []).flatMap((t) => t.fixes));

  const now = () => new Date().toISOString();
  const emit = (event: DistributiveOmit<TidemarkEvent, 'at' | 'target'>) =>
    events.emit({ at: now(), target: label, ...event } as TidemarkEvent);
  const fail = (code: ConstructorParameters<typeof TidemarkError>[0], message: string, extra: Partial<ConstructorParameters<typeof TidemarkError>[2]> = {}) =>
    new TidemarkError(code, message, { plugin: plugin.name, target: label, ...extra });

  async function detect(): Promise<Map<string, Evidence | null>> {
    const findings = new Map<string, Evidence | null>();
    for (const trait of plugin.traits ?? []) {
      let evidence: Evidence | null;
      try {
        evidence = await trait.detect(target, { targetLabel: label, signal: outerSignal });
      } catch (error) {
        throw fail('STEP_FAILED', `trait "${trait.id}" could not inspect the target`, { step: 'detect', cause: error });
      }
      findings.set(trait.id, evidence);
      if (evidence) emit({ type: 'trait:detected', trait: trait.id, evidence });
    }
    return findings;
  }

  async function makePlan(entries: LedgerEntry[], opts: Omit<UpOptions, 'dryRun'> = {}): Promise<Plan> {
    const findings = await detect();
    return computePlan({
      plugin: plugin.name,
      target: label,
      migrations: ordered,
      traits: plugin.traits ?? [],
      entries,
      findings,
      to: opts.to,
      contexts: options.contexts,
      repairDrift: opts.repairDrift,
    });
  }

  /** Refusals that must happen before any write, the lease included. */
  async function preflight(command: 'up' | 'down'): Promise<void> {
    for (const guard of guards) {
      if (!guard.preflight) continue;
      try {
        await guard.preflight({ target, targetLabel: label, command, signal: outerSignal });
      } catch (error) {
        emit({ type: 'guard', guard: guard.name, action: 'refused', detail: { reason: describeError(error) } });
        throw fail('STEP_FAILED', 'refused before any write; nothing was changed', { step: `guard:${guard.name}`, cause: error });
      }
    }
  }

  async function withLease<R>(fn: (lease: Lease) => Promise<R>): Promise<R> {
    const lease = await acquireLease(ledger.lock, {
      ...options.lock,
      target: label,
      signal: outerSignal,
      onWait: (state) => emit({ type: 'lock:waiting', holder: `${state.host}:${state.pid}`, expiresAt: state.expiresAt }),
    });
    emit({ type: 'lock:acquired' });
    try {
      return await fn(lease);
    } finally {
      await lease.release();
      emit({ type: 'lock:released' });
    }
  }

  /** `recorded` collects what an `up` attaches to its entry; without it (down, validate) `record` refuses. */
  function migrationContext(m: Migration<T>, direction: MigrationContext<T>['direction'], signal: AbortSignal, store: Ledger = ledger, on: T = target, recorded?: Map<string, EntryData>): MigrationContext<T> {
    const memory = new Map<string, unknown>();
    return {
      target: on,
      targetLabel: label,
      migrationId: m.id,
      direction,
      signal,
      progress: (done, total, note) =>
        emit({ type: 'step:progress', migration: m.id, done, ...(total === undefined ? {} : { total }), ...(note === undefined ? {} : { note }) }),
      log: (message, data) => emit({ type: 'log', level: 'info', message, migration: m.id, ...(data ? { data } : {}) }),
      warn: (message, data) => emit({ type: 'log', level: 'warn', message, migration: m.id, ...(data ? { data } : {}) }),
      checkpoint: {
        load: async <C>() => {
          const data = ((store.checkpoints ? await store.checkpoints.load(m.id) : memory.get(m.id)) ?? null) as C | null;
          if (data !== null) checkpointed.add(m.id);
          return data;
        },
        save: async (data) => {
          checkpointed.add(m.id);
          if (store.checkpoints) await store.checkpoints.save(m.id, data);
          else memory.set(m.id, data);
        },
        clear: async () => {
          if (store.checkpoints) await store.checkpoints.clear(m.id);
          else memory.delete(m.id);
        },
      },
      record: (data) => {
        if (!recorded) throw new Error(`ctx.record is only for up: ${direction === 'down' ? "down removes this step's ledger entry" : 'a validator never writes'}`);
        recorded.set(m.id, mergeEntryData(recorded.get(m.id) ?? {}, data));
      },
    };
  }

  async function validate(m: Migration<T>, signal: AbortSignal, store: Ledger = ledger, on: T = target): Promise<ValidationIssue[]> {
    if (!m.validate) return [];
    const issues = (await m.validate(migrationContext(m, 'validate', signal, store, on))) ?? [];
    emit({ type: 'validation', migration: m.id, ok: issues.length === 0, issues });
    return issues;
  }

  /** Composes guards so the first declared is the outermost; tells guard errors from step errors. */
  async function chain<C>(
    layers: readonly { name: string; fn: (ctx: C, next: () => Promise<void>) => Promise<void> }[],
    ctxFor: (name: string) => C,
    core: () => Promise<void>,
  ): Promise<void> {
    const call = async (i: number): Promise<void> => {
      const layer = layers[i];
      if (!layer) return core();
      let nextCalled = false;
      try {
        await layer.fn(ctxFor(layer.name), async () => {
          nextCalled = true;
          await call(i + 1);
        });
      } catch (error) {
        if (error instanceof StepFailure || error instanceof GuardFailure) throw error;
        if (nextCalled && isTidemarkError(error, 'LOCK_LOST')) throw error;
        throw new GuardFailure(layer.name, error);
      }
      if (!nextCalled) throw new GuardFailure(layer.name, new Error('the guard did not call next() and did not throw'));
    };
    await call(0);
  }

  interface RunState {
    runId: string;
    snapshot: SnapshotRef | undefined;
    restored: boolean;
    applied: string[];
    current: string | undefined;
    /** What each step of this run attached with `ctx.record`, until its entry is written. */
    recorded: Map<string, EntryData>;
  }

  function guardContext(state: RunState, command: 'up' | 'down', steps: string[], dryRun: boolean, signal: AbortSignal, name: string, on: T): GuardContext<T> {
    return {
      target: on,
      targetLabel: label,
      runId: state.runId,
      command,
      dryRun,
      signal,
      steps,
      emit: (action, detail) => emit({ type: 'guard', guard: name, action, runId: state.runId, ...(detail ? { detail } : {}) }),
      snapshotTaken: (ref) => {
        state.snapshot = { guard: name, ref };
      },
      restored: () => {
        state.restored = true;
      },
    };
  }

  /** Trait findings for a baselined migration, checked again now. */
  async function redetect(m: Migration<T>): Promise<Evidence[]> {
    const found: Evidence[] = [];
    for (const trait of (plugin.traits ?? []).filter((t) => t.fixes.includes(m.id))) {
      const evidence = await trait.detect(target, { targetLabel: label, signal: outerSignal });
      if (evidence) {
        emit({ type: 'trait:detected', trait: trait.id, evidence });
        found.push(evidence);
      }
    }
    return found;
  }

  /** The stamp follows the highest version bundle applied or baselined; it never goes down on `up`. */
  async function raiseStamp(on: T, done: readonly string[]): Promise<void> {
    const versions = ordered.filter((m) => m.version !== undefined && done.includes(m.id)).map((m) => m.version!);
    if (versions.length === 0) return;
    const next = Math.max(...versions);
    if (next > (await plugin.stamp!.read(on))) await plugin.stamp!.write(on, next);
  }

  /** The stamp as a run finds it; null when the plugin can tell none is stored (and can remove one). */
  async function stampBefore(on: T): Promise<{ versionBefore?: number | null }> {
    const stamp = plugin.stamp;
    if (!stamp) return {};
    if (stamp.stored && stamp.remove && !(await stamp.stored(on))) return { versionBefore: null };
    return { versionBefore: await stamp.read(on) };
  }

  /** After a rollback the stamp goes back to what it was before the earliest reverted run, or away if none was stored. */
  async function lowerStamp(reverted: readonly LedgerEntry[]): Promise<void> {
    const stamp = plugin.stamp!;
    const before = reverted.find((e) => e.versionBefore !== undefined)?.versionBefore;
    if (before === undefined) return;
    const remaining = new Set((await ledger.read()).filter((e) => e.outcome !== 'failed').map((e) => e.id));
    const versions = ordered.filter((m) => m.version !== undefined && remaining.has(m.id)).map((m) => m.version!);
    if (before === null && versions.length === 0) {
      if (stamp.remove && (await stamp.stored?.(target)) !== false) await stamp.remove(target);
      return;
    }
    const back = Math.max(...(before === null ? [] : [before]), ...versions);
    if (back !== (await stamp.read(target))) await stamp.write(target, back);
  }

  /** The `data` field of a step's entry: present only when the step recorded something. */
  function recordedData(state: RunState, id: string): { data?: EntryData } {
    const data = state.recorded.get(id);
    return data && Object.keys(data).length > 0 ? { data } : {};
  }

  /** Ledger writes of the runner itself: a failure there is the ledger's, not a guard's or the step's. */
  async function bookkeeping(id: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      throw new StepFailure(id, 'ledger', error);
    }
  }

  async function applyStep(m: Migration<T>, steps: string[], state: RunState, signal: AbortSignal, store: Ledger, on: T, stamped: { versionBefore?: number | null }): Promise<void> {
    const id = m.id;
    const index = state.applied.length;
    const total = steps.length;
    state.current = id;
    const t0 = performance.now();
    emit({ type: 'step:started', migration: id, title: m.title, direction: 'up', index, total, runId: state.runId });
    if (gated.has(id) && !store.skipIntentRecords) {
      // If this process dies mid-step its trait may no longer see the shape; without this record the next
      // plan would baseline a half-done step (and `down` would skip it). The entry is replaced on success.
      await bookkeeping(id, () =>
        store.record({ id, checksum: m.checksum, outcome: 'failed', at: now(), durationMs: 0, by, runId: state.runId, note: 'interrupted: the run stopped during this step' }),
      );
    }
    await chain(
      stepLayers,
      (name): StepGuardContext<T> => ({ ...guardContext(state, 'up', steps, false, signal, name, on), migrationId: id, direction: 'up' }),
      async () => {
        try {
          await m.up(migrationContext(m, 'up', signal, store, on, state.recorded));
        } catch (error) {
          throw new StepFailure(id, 'up', error);
        }
        let issues: ValidationIssue[];
        try {
          issues = await validate(m, signal, store, on);
        } catch (error) {
          throw new StepFailure(id, 'validate', error);
        }
        if (issues.length > 0) {
          throw new StepFailure(id, 'validate', new TidemarkError('VALIDATION_FAILED', issues.map((i) => (i.where ? `${i.where}: ${i.message}` : i.message)).join('; ')));
        }
      },
    );
    if (signal.aborted) throw signal.reason;
    const durationMs = Math.round(performance.now() - t0);
    await bookkeeping(id, async () => {
      await store.record({
        id,
        checksum: m.checksum,
        outcome: 'applied',
        at: now(),
        durationMs,
        by,
        runId: state.runId,
        ...(state.snapshot ? { snapshot: state.snapshot } : {}),
        ...stamped,
        ...recordedData(state, id),
      });
      if (store.checkpoints && checkpointed.delete(id)) await store.checkpoints.clear(id);
    });
    state.applied.push(id);
    emit({ type: 'step:finished', migration: id, direction: 'up', durationMs, runId: state.runId });
  }

  /** Apply the planned steps under guards; the caller holds the lease. */
  async function applySteps(plan: Plan, lease: Lease, store: Ledger, on: T, started: number): Promise<RunResult> {
    const state: RunState = { runId: randomUUID(), snapshot: undefined, restored: false, applied: [], current: undefined, recorded: new Map() };
    const steps = plan.steps.map((s) => s.id);
    const signal = AbortSignal.any([outerSignal, lease.signal]);
    emit({ type: 'run:started', command: 'up', steps, dryRun: false, runId: state.runId });

    const baselined: string[] = [];
    try {
      // Baseline records are writes too (a READONLY run must refuse them), so they happen inside the run guards.
      await chain(runLayers, (name) => guardContext(state, 'up', steps, false, signal, name, on), async () => {
        const stamped = await stampBefore(on);
        const notes = new Map(plan.baseline.map((b) => [b.id, b.note]));
        const planned = new Set(steps);
        for (const m of ordered.filter((o) => notes.has(o.id) || planned.has(o.id))) {
          if (lease.signal.aborted) throw lease.signal.reason;
          if (notes.has(m.id)) {
            // An earlier step of this run may have produced the shape this one fixes (a file moved into place):
            // look again before recording that nothing was needed.
            const found = state.applied.length > 0 ? await redetect(m) : [];
            if (found.length === 0) {
              await store.record({ id: m.id, checksum: m.checksum, outcome: 'baselined', at: now(), durationMs: 0, by, runId: state.runId, note: notes.get(m.id)!, ...stamped });
              emit({ type: 'step:baselined', migration: m.id, note: notes.get(m.id)!, runId: state.runId });
              baselined.push(m.id);
              continue;
            }
            steps.push(m.id);
          }
          await applyStep(m, steps, state, signal, store, on, stamped);
        }
        if (plugin.stamp) await raiseStamp(on, [...plan.applied, ...steps, ...baselined]);
      });
    } catch (error) {
      throw await reconcileFailure(error, state, store);
    }
    const durationMs = Math.round(performance.now() - started);
    emit({ type: 'run:finished', command: 'up', outcome: 'ok', durationMs, applied: state.applied, runId: state.runId });
    return { runId: state.runId, outcome: 'ok', plan, applied: state.applied, baselined, reverted: [], durationMs };
  }

  /** After a failed run: record the failure, and drop "applied" claims that a restore made untrue. */
  async function reconcileFailure(error: unknown, state: RunState, store: Ledger): Promise<TidemarkError> {
    const migration = error instanceof StepFailure ? error.migration : state.current;
    const step = error instanceof StepFailure ? error.phase : error instanceof GuardFailure ? `guard:${error.guard}` : 'up';
    const cause = error instanceof StepFailure || error instanceof GuardFailure ? error.cause : error;
    if (state.restored) {
      for (const e of await store.read()) {
        if (e.runId === state.runId && e.outcome === 'applied') await store.remove(e.id);
      }
    }
    if (migration && error instanceof StepFailure) {
      const m = byId.get(migration)!;
      try {
        // What the step recorded before it failed stays with the failure (e.g. which checks failed).
        await store.record({ id: m.id, checksum: m.checksum, outcome: 'failed', at: now(), durationMs: 0, by, runId: state.runId, note: `${step}: ${describeError(cause)}`, ...recordedData(state, m.id) });
      } catch (recordError) {
        // The original failure matters more; say that the ledger could not take the record.
        emit({ type: 'log', level: 'warn', message: `could not record the failure in the ledger: ${describeError(recordError)}`, migration, runId: state.runId });
      }
    }
    emit({ type: 'step:failed', migration: migration ?? '(run)', direction: 'up', error: describeError(cause), runId: state.runId });
    emit({ type: 'run:finished', command: 'up', outcome: 'failed', durationMs: 0, applied: state.restored ? [] : state.applied, runId: state.runId });
    if (isTidemarkError(cause, 'LOCK_LOST')) return fail('LOCK_LOST', 'lost the lock during the run; stopped', { migration, cause });
    const kept = state.restored ? 'the target was restored to its state before the run' : `${state.applied.length} earlier step(s) of this run stay applied`;
    return fail('STEP_FAILED', `failed; ${kept}`, { ...(migration ? { migration } : {}), step, cause });
  }

  async function up(opts: UpOptions = {}): Promise<RunResult> {
    const started = performance.now();
    if (opts.dryRun) {
      const plan = await makePlan(await ledger.read(), opts);
      emit({ type: 'plan:ready', plan });
      return { runId: randomUUID(), outcome: 'dry-run', plan, applied: [], baselined: [], reverted: [], durationMs: Math.round(performance.now() - started) };
    }
    await preflight('up');
    return withLease(async (lease) => {
      const plan = await makePlan(await ledger.read(), opts);
      emit({ type: 'plan:ready', plan });
      if (!hasWork(plan)) {
        // A stamp write that failed after the last step is retried here rather than never.
        if (plugin.stamp) await raiseStamp(target, plan.applied);
        return { runId: randomUUID(), outcome: 'nothing-to-do', plan, applied: [], baselined: [], reverted: [], durationMs: Math.round(performance.now() - started) };
      }
      return applySteps(plan, lease, ledger, target, started);
    });
  }

  async function down(opts: DownOptions): Promise<RunResult> {
    const started = performance.now();
    if (opts.to !== null && !byId.has(opts.to)) throw fail('UNKNOWN_MIGRATION', `cannot roll back to unknown migration "${opts.to}"`);
    if (!opts.dryRun) await preflight('down');
    return withLease(async (lease) => {
      const entries = await ledger.read();
      const plan = await makePlan(entries);
      const done = new Map(entries.filter((e) => e.outcome !== 'failed').map((e) => [e.id, e]));
      const keep = opts.to === null ? -1 : ordered.findIndex((m) => m.id === opts.to);
      const revert = ordered.filter((m, i) => i > keep && done.has(m.id)).reverse();
      const restoring = (m: Migration<T>) => {
        const snap = done.get(m.id)?.snapshot;
        return snap ? guards.find((g) => g.name === snap.guard && g.restore) : undefined;
      };
      for (const m of revert) {
        if (done.get(m.id)!.outcome === 'applied' && !m.down && !restoring(m)) {
          throw fail('IRREVERSIBLE', 'has no down and no snapshot guard recorded a snapshot to restore; nothing was changed', { migration: m.id, step: 'down' });
        }
      }
      const runId = randomUUID();
      emit({ type: 'run:started', command: 'down', steps: revert.map((m) => m.id), dryRun: !!opts.dryRun, runId });
      if (opts.dryRun) return { runId, outcome: 'dry-run' as const, plan, applied: [], baselined: [], reverted: revert.map((m) => m.id), durationMs: 0 };

      const state: RunState = { runId, snapshot: undefined, restored: false, applied: [], current: undefined, recorded: new Map() };
      const signal = AbortSignal.any([outerSignal, lease.signal]);
      const reverted: string[] = [];
      const steps = revert.map((m) => m.id);
      try {
        await chain(runLayers, (name) => guardContext(state, 'down', steps, false, signal, name, target), async () => {
          for (const [index, m] of revert.entries()) {
            const entry = (await ledger.read()).find((e) => e.id === m.id);
            if (!entry || entry.outcome === 'failed') continue; // already undone by a snapshot restore
            state.current = m.id;
            const t0 = performance.now();
            emit({ type: 'step:started', migration: m.id, title: m.title, direction: 'down', index, total: revert.length, runId });
            if (entry.outcome === 'baselined') {
              await ledger.remove(m.id);
            } else if (m.down) {
              await chain(
                stepLayers,
                (name): StepGuardContext<T> => ({ ...guardContext(state, 'down', steps, false, signal, name, target), migrationId: m.id, direction: 'down' }),
                async () => {
                  try {
                    await m.down!(migrationContext(m, 'down', signal));
                  } catch (error) {
                    throw new StepFailure(m.id, 'down', error);
                  }
                },
              );
              await ledger.remove(m.id);
            } else {
              const guard = restoring(m)!;
              const snap = entry.snapshot!;
              await guard.restore!(guardContext(state, 'down', steps, false, signal, guard.name, target), snap.ref);
              emit({ type: 'guard', guard: guard.name, action: 'snapshot-restored', detail: { ref: snap.ref, migration: m.id }, runId });
              // The snapshot predates the whole run that applied m: every entry from that run or later is undone.
              const all = await ledger.read();
              const from = all.findIndex((e) => e.runId === entry.runId);
              for (const e of from < 0 ? [] : all.slice(from)) await ledger.remove(e.id);
            }
            reverted.push(m.id);
            emit({ type: 'step:finished', migration: m.id, direction: 'down', durationMs: Math.round(performance.now() - t0), runId });
          }
          if (plugin.stamp) await lowerStamp(entries.filter((e) => reverted.includes(e.id)));
        });
      } catch (error) {
        const migration = error instanceof StepFailure ? error.migration : state.current;
        const cause = error instanceof StepFailure || error instanceof GuardFailure ? error.cause : error;
        const step = error instanceof GuardFailure ? `guard:${error.guard}` : 'down';
        emit({ type: 'step:failed', migration: migration ?? '(run)', direction: 'down', error: describeError(cause), runId });
        emit({ type: 'run:finished', command: 'down', outcome: 'failed', durationMs: Math.round(performance.now() - started), applied: [], runId });
        throw fail('STEP_FAILED', `rollback failed; ${state.restored ? 'the target was restored to its state before the rollback' : `${reverted.length} step(s) were reverted before the failure`}`, {
          ...(migration ? { migration } : {}),
          step,
          cause,
        });
      }
      // A snapshot restore may have undone more than asked (steps at or before `to` in the same run): re-apply them.
      let reapplied: string[] = [];
      if (opts.to !== null) {
        const again = await makePlan(await ledger.read(), { to: opts.to });
        if (hasWork(again)) reapplied = (await applySteps(again, lease, ledger, target, performance.now())).applied;
      }
      const durationMs = Math.round(performance.now() - started);
      emit({ type: 'run:finished', command: 'down', outcome: 'ok', durationMs, applied: reapplied, runId });
      return { runId, outcome: 'ok' as const, plan, applied: reapplied, baselined: [], reverted, durationMs };
    });
  }

  async function verify(): Promise<VerifyReport> {
    const entries = await ledger.read();
    const plan = await makePlan(entries);
    const validation: VerifyReport['validation'] = [];
    for (const id of plan.applied) {
      const m = byId.get(id)!;
      if (entries.find((e) => e.id === id)?.outcome !== 'applied') continue;
      try {
        const issues = await validate(m, outerSignal);
        if (issues.length > 0) validation.push({ id, issues });
      } catch (error) {
        validation.push({ id, issues: [{ message: `validator threw: ${describeError(error)}` }] });
      }
    }
    const ok = validation.length === 0 && plan.drift.length === 0 && plan.steps.length === 0;
    return { ok, plan, validation };
  }

  async function status(): Promise<StatusReport> {
    const entries = await ledger.read();
    const recorded = new Set(entries.filter((e) => e.outcome !== 'failed').map((e) => e.id));
    return {
      target: label,
      entries,
      pending: ordered.filter((m) => !recorded.has(m.id) && inContexts(m, options.contexts)).map((m) => m.id),
      unknown: entries.filter((e) => !byId.has(e.id)).map((e) => e.id),
      lock: await ledger.lock.inspect(),
      version: plugin.stamp ? await plugin.stamp.read(target) : null,
    };
  }

  async function rehearse(opts: Omit<UpOptions, 'dryRun'> = {}): Promise<RehearsalReport> {
    if (!plugin.rehearse) throw fail('NOT_SUPPORTED', `plugin "${plugin.name}" cannot rehearse (no copy or rolled-back transaction)`);
    const session = await plugin.rehearse(target);
    try {
      const copy = createRunner({ ...options, target: session.target, events, onEvent: undefined });
      let applied: string[] = [];
      let error: string | undefined;
      let plan: Plan;
      try {
        const result = await copy.up(opts);
        applied = result.applied;
        plan = result.plan;
      } catch (e) {
        error = describeError(e);
        plan = await copy.plan(opts);
      }
      const diff = await session.diff();
      return { plan, outcome: error ? 'failed' : 'ok', applied, diff, ...(error ? { error } : {}) };
    } finally {
      await session.dispose();
    }
  }

  return {
    events,
    plan: async (opts) => {
      const plan = await makePlan(await ledger.read(), opts);
      emit({ type: 'plan:ready', plan });
      return plan;
    },
    up,
    down,
    verify,
    status,
    rehearse,
  };
}

type DistributiveOmit<U, K extends PropertyKey> = U extends unknown ? Omit<U, K> : never;
