// `up`: apply the planned steps under the guards, record each in the ledger, and after a failure make the
// ledger say exactly what the target now holds.
import { randomUUID } from 'node:crypto';
import type { LedgerEntry, Migration, Plan, RunResult, StepGuardContext, ValidationIssue } from '../contract.js';
import type { EntryData } from '../entry-data.js';
import { TidemarkError } from '../errors.js';
import type { Lease } from '../lease.js';
import { hasWork } from '../plan.js';
import { describeError } from '../redact.js';
import { makePlan, redetect } from './detect.js';
import { classify, StepFailure } from './failures.js';
import { chain, guardContext, preflight } from './guard-chain.js';
import { withLease } from './hold-lease.js';
import { newRunState, type EventInput, type RunScope, type RunState } from './scope.js';
import { raiseStamp, stampBefore } from './stamp.js';
import { migrationContext, validate } from './step-context.js';
import type { UpOptions } from './types.js';

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

async function applyStep<T>(
  scope: RunScope<T>,
  m: Migration<T>,
  state: RunState,
  stamped: { versionBefore?: number | null },
): Promise<void> {
  const { ledger, emit, by } = scope;
  const { steps, signal } = state;
  const id = m.id;
  state.current = id;
  const t0 = performance.now();
  emit({
    type: 'step:started',
    migration: id,
    title: m.title,
    direction: 'up',
    index: state.applied.length,
    total: steps.length,
    runId: state.runId,
  });
  if (scope.gated.has(id) && !ledger.skipIntentRecords) {
    // If this process dies mid-step its trait may no longer see the shape; without this record the next
    // plan would baseline a half-done step (and `down` would skip it). The entry is replaced on success.
    await bookkeeping(id, () =>
      ledger.record({
        id,
        checksum: m.checksum,
        outcome: 'failed',
        at: scope.now(),
        durationMs: 0,
        by,
        runId: state.runId,
        note: 'interrupted: the run stopped during this step',
      }),
    );
  }
  await chain(
    scope.stepLayers,
    (name): StepGuardContext<T> => ({ ...guardContext(scope, state, name), migrationId: id, direction: 'up' }),
    async () => {
      try {
        await m.up(migrationContext(scope, m, 'up', signal, state.recorded));
      } catch (error) {
        throw new StepFailure(id, 'up', error);
      }
      let issues: ValidationIssue[];
      try {
        issues = await validate(scope, m, signal);
      } catch (error) {
        throw new StepFailure(id, 'validate', error);
      }
      if (issues.length > 0) {
        throw new StepFailure(
          id,
          'validate',
          new TidemarkError(
            'VALIDATION_FAILED',
            issues.map((i) => (i.where ? `${i.where}: ${i.message}` : i.message)).join('; '),
          ),
        );
      }
    },
  );
  if (signal.aborted) throw signal.reason;
  const durationMs = Math.round(performance.now() - t0);
  await bookkeeping(id, async () => {
    await ledger.record({
      id,
      checksum: m.checksum,
      outcome: 'applied',
      at: scope.now(),
      durationMs,
      by,
      runId: state.runId,
      ...(state.snapshot ? { snapshot: state.snapshot } : {}),
      ...stamped,
      ...recordedData(state, id),
    });
    if (ledger.checkpoints && scope.checkpointed.delete(id)) await ledger.checkpoints.clear(id);
  });
  state.applied.push(id);
  emit({ type: 'step:finished', migration: id, direction: 'up', durationMs, runId: state.runId });
}

/** Apply the planned steps under guards; the caller holds the lease. */
export async function applySteps<T>(scope: RunScope<T>, plan: Plan, lease: Lease, started: number): Promise<RunResult> {
  const { ledger, emit } = scope;
  const state = newRunState({
    runId: randomUUID(),
    command: 'up',
    steps: plan.steps.map((s) => s.id),
    signal: AbortSignal.any([scope.signal, lease.signal]),
    started,
  });
  const { steps } = state;
  emit({ type: 'run:started', command: scope.command, steps: [...steps], dryRun: false, runId: state.runId });

  const baselined: string[] = [];
  try {
    // Baseline records are writes too (a READONLY run must refuse them), so they happen inside the run guards.
    await chain(
      scope.runLayers,
      (name) => guardContext(scope, state, name),
      async () => {
        const stamped = await stampBefore(scope);
        const notes = new Map(plan.baseline.map((b) => [b.id, b.note]));
        const planned = new Set(steps);
        for (const m of scope.ordered.filter((o) => notes.has(o.id) || planned.has(o.id))) {
          // A lost lease or an interrupt (the caller's signal) takes no new step.
          if (state.signal.aborted) throw state.signal.reason;
          if (notes.has(m.id)) {
            // An earlier step of this run may have produced the shape this one fixes (a file moved into place):
            // look again before recording that nothing was needed.
            const found = state.applied.length > 0 ? await redetect(scope, m) : [];
            if (found.length === 0) {
              await ledger.record({
                id: m.id,
                checksum: m.checksum,
                outcome: 'baselined',
                at: scope.now(),
                durationMs: 0,
                by: scope.by,
                runId: state.runId,
                note: notes.get(m.id)!,
                ...stamped,
              });
              emit({ type: 'step:baselined', migration: m.id, note: notes.get(m.id)!, runId: state.runId });
              baselined.push(m.id);
              continue;
            }
            steps.push(m.id);
          }
          await applyStep(scope, m, state, stamped);
        }
        await raiseStamp(scope, [...plan.applied, ...steps, ...baselined]);
      },
    );
  } catch (error) {
    throw await reconcileFailure(scope, error, state);
  }
  const durationMs = Math.round(performance.now() - started);
  emit({
    type: 'run:finished',
    command: scope.command,
    outcome: 'ok',
    durationMs,
    applied: state.applied,
    runId: state.runId,
  });
  return { runId: state.runId, outcome: 'ok', plan, applied: state.applied, baselined, reverted: [], durationMs };
}

/** After a failed run: record the failure, and drop "applied" claims that a restore made untrue. */
async function reconcileFailure<T>(scope: RunScope<T>, error: unknown, state: RunState): Promise<TidemarkError> {
  const { ledger, emit } = scope;
  const { migration, step, cause, stepFailed, lockLost } = classify(error, state.current, 'up');
  if (state.restored) {
    for (const e of await ledger.read()) {
      if (e.runId === state.runId && e.outcome === 'applied') await ledger.remove(e.id);
    }
  }
  if (migration && stepFailed) {
    const m = scope.byId.get(migration)!;
    try {
      // What the step recorded before it failed stays with the failure (e.g. which checks failed).
      await ledger.record({
        id: m.id,
        checksum: m.checksum,
        outcome: 'failed',
        at: scope.now(),
        durationMs: 0,
        by: scope.by,
        runId: state.runId,
        note: `${step}: ${describeError(cause)}`,
        ...recordedData(state, m.id),
      });
    } catch (recordError) {
      // The original failure matters more; say that the ledger could not take the record.
      emit({
        type: 'log',
        level: 'warn',
        message: `could not record the failure in the ledger: ${describeError(recordError)}`,
        migration,
        runId: state.runId,
      });
    }
  }
  if (lockLost) emit({ type: 'lock:lost', runId: state.runId });
  emit({
    type: 'step:failed',
    migration: migration ?? '(run)',
    direction: 'up',
    error: describeError(cause),
    runId: state.runId,
  });
  emit({
    type: 'run:finished',
    command: scope.command,
    outcome: 'failed',
    durationMs: Math.round(performance.now() - state.started),
    applied: state.restored ? [] : state.applied,
    runId: state.runId,
  });
  if (lockLost) return scope.fail('LOCK_LOST', 'lost the lock during the run; stopped', { migration, cause });
  const kept = state.restored
    ? 'the target was restored to its state before the run'
    : `${state.applied.length} earlier step(s) of this run stay applied`;
  return scope.fail('STEP_FAILED', `failed; ${kept}`, { ...(migration ? { migration } : {}), step, cause });
}

export async function up<T>(scope: RunScope<T>, opts: UpOptions = {}): Promise<RunResult> {
  const started = performance.now();
  if (opts.dryRun) {
    const plan = await makePlan(scope, await scope.ledger.read(), opts);
    scope.emit({ type: 'plan:ready', plan });
    return {
      runId: randomUUID(),
      outcome: 'dry-run',
      plan,
      applied: [],
      baselined: [],
      reverted: [],
      durationMs: Math.round(performance.now() - started),
    };
  }
  await preflight(scope, 'up');
  // Most starts have nothing to do: plan first without the lock (reads only), so such a start costs the
  // ledger read and the traits' reads, no lock session. Its events are held back until the plan stands.
  // A probe that fails (a target another runner is changing right now) is not an answer: the locked plan is.
  const held: EventInput[] = [];
  const before = await scope.ledger.read();
  const probe = scope.plugin.stamp
    ? undefined
    : await makePlan({ ...scope, emit: (event: EventInput) => void held.push(event) }, before, opts).catch(
        () => undefined,
      );
  if (probe && !hasWork(probe)) {
    for (const event of held) scope.emit(event);
    scope.emit({ type: 'plan:ready', plan: probe });
    return {
      runId: randomUUID(),
      outcome: 'nothing-to-do',
      plan: probe,
      applied: [],
      baselined: [],
      reverted: [],
      durationMs: Math.round(performance.now() - started),
    };
  }
  // Something to do: under the lock. A ledger unchanged since the probe means no other runner did anything in
  // between, so the probe's plan stands (traits are not asked twice); else it is planned again.
  return withLease(scope, async (lease) => {
    const entries = await scope.ledger.read();
    const plan = probe && sameEntries(before, entries) ? probe : await makePlan(scope, entries, opts);
    if (plan === probe) for (const event of held) scope.emit(event);
    scope.emit({ type: 'plan:ready', plan });
    if (!hasWork(plan)) {
      // A stamp write that failed after the last step is retried here rather than never.
      await raiseStamp(scope, plan.applied);
      return {
        runId: randomUUID(),
        outcome: 'nothing-to-do',
        plan,
        applied: [],
        baselined: [],
        reverted: [],
        durationMs: Math.round(performance.now() - started),
      };
    }
    return applySteps(scope, plan, lease, started);
  });
}

function sameEntries(a: readonly LedgerEntry[], b: readonly LedgerEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => JSON.stringify(e) === JSON.stringify(b[i]));
}
