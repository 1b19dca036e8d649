// `down`: revert what came after `to`, newest first, with each step's `down` or the snapshot its run took;
// then re-apply what a snapshot restore undid beyond `to`.
import { randomUUID } from 'node:crypto';
import type { Migration, RunResult, StepGuardContext } from '../contract.js';
import { hasWork } from '../plan.js';
import { describeError } from '../redact.js';
import { applySteps } from './apply.js';
import { makePlan } from './detect.js';
import { classify, StepFailure } from './failures.js';
import { chain, guardContext, preflight } from './guard-chain.js';
import { withLease } from './hold-lease.js';
import { newRunState, type RunScope } from './scope.js';
import { lowerStamp } from './stamp.js';
import { migrationContext } from './step-context.js';
import type { DownOptions } from './types.js';

export async function down<T>(scope: RunScope<T>, opts: DownOptions): Promise<RunResult> {
  const { ledger, emit, ordered, guards } = scope;
  const started = performance.now();
  if (opts.to !== null && !scope.byId.has(opts.to))
    throw scope.fail('UNKNOWN_MIGRATION', `cannot roll back to unknown migration "${opts.to}"`);
  if (!opts.dryRun) await preflight(scope, 'down');
  return withLease(scope, async (lease) => {
    const entries = await ledger.read();
    const plan = await makePlan(scope, entries);
    const done = new Map(entries.filter((e) => e.outcome !== 'failed').map((e) => [e.id, e]));
    const keep = ordered.findIndex((m) => m.id === opts.to); // -1 for `to: null`: revert everything
    const revert = ordered.filter((m, i) => i > keep && done.has(m.id)).reverse();
    const restoring = (m: Migration<T>) => {
      const snap = done.get(m.id)!.snapshot;
      return snap ? guards.find((g) => g.name === snap.guard && g.restore) : undefined;
    };
    for (const m of revert) {
      if (done.get(m.id)!.outcome === 'applied' && !m.down && !restoring(m)) {
        throw scope.fail(
          'IRREVERSIBLE',
          'has no down and no snapshot guard recorded a snapshot to restore; nothing was changed',
          { migration: m.id, step: 'down' },
        );
      }
    }
    const runId = randomUUID();
    emit({ type: 'run:started', command: 'down', steps: revert.map((m) => m.id), dryRun: !!opts.dryRun, runId });
    if (opts.dryRun)
      return {
        runId,
        outcome: 'dry-run' as const,
        plan,
        applied: [],
        baselined: [],
        reverted: revert.map((m) => m.id),
        durationMs: 0,
      };

    const signal = AbortSignal.any([scope.signal, lease.signal]);
    const state = newRunState({ runId, command: 'down', steps: revert.map((m) => m.id), signal, started });
    const reverted: string[] = [];
    try {
      await chain(
        scope.runLayers,
        (name) => guardContext(scope, state, name),
        async () => {
          for (const [index, m] of revert.entries()) {
            // A lost lease stops the rollback as it stops an up: the ledger is no longer this run's to write.
            if (signal.aborted) throw signal.reason;
            const entry = (await ledger.read()).find((e) => e.id === m.id);
            if (!entry) continue; // already undone by a snapshot restore
            state.current = m.id;
            const t0 = performance.now();
            emit({
              type: 'step:started',
              migration: m.id,
              title: m.title,
              direction: 'down',
              index,
              total: revert.length,
              runId,
            });
            if (entry.outcome === 'baselined') {
              await ledger.remove(m.id);
            } else if (m.down) {
              await chain(
                scope.stepLayers,
                (name): StepGuardContext<T> => ({
                  ...guardContext(scope, state, name),
                  migrationId: m.id,
                  direction: 'down',
                }),
                async () => {
                  try {
                    await m.down!(migrationContext(scope, m, 'down', signal));
                  } catch (error) {
                    throw new StepFailure(m.id, 'down', error);
                  }
                },
              );
              if (signal.aborted) throw signal.reason;
              await ledger.remove(m.id);
            } else {
              const guard = restoring(m)!;
              const snap = entry.snapshot!;
              await guard.restore!(guardContext(scope, state, guard.name), snap.ref);
              emit({
                type: 'guard',
                guard: guard.name,
                action: 'snapshot-restored',
                detail: { ref: snap.ref, migration: m.id },
                runId,
              });
              // The snapshot predates the whole run that applied m: every entry from that run or later is undone.
              const all = await ledger.read();
              const from = all.findIndex((e) => e.runId === entry.runId);
              for (const e of from < 0 ? [] : all.slice(from)) await ledger.remove(e.id);
            }
            reverted.push(m.id);
            emit({
              type: 'step:finished',
              migration: m.id,
              direction: 'down',
              durationMs: Math.round(performance.now() - t0),
              runId,
            });
          }
          await lowerStamp(
            scope,
            entries.filter((e) => reverted.includes(e.id)),
          );
        },
      );
    } catch (error) {
      const { migration, step, cause, lockLost } = classify(error, state.current, 'down');
      if (lockLost) emit({ type: 'lock:lost', runId });
      emit({
        type: 'step:failed',
        migration: migration ?? '(run)',
        direction: 'down',
        error: describeError(cause),
        runId,
      });
      emit({
        type: 'run:finished',
        command: 'down',
        outcome: 'failed',
        durationMs: Math.round(performance.now() - started),
        applied: [],
        runId,
      });
      if (lockLost)
        throw scope.fail(
          'LOCK_LOST',
          `lost the lock during the rollback; stopped after ${reverted.length} reverted step(s)`,
          { migration, cause },
        );
      throw scope.fail(
        'STEP_FAILED',
        `rollback failed; ${state.restored ? 'the target was restored to its state before the rollback' : `${reverted.length} step(s) were reverted before the failure`}`,
        {
          ...(migration ? { migration } : {}),
          step,
          cause,
        },
      );
    }
    // A snapshot restore may have undone more than asked (steps at or before `to` in the same run): re-apply them.
    let reapplied: string[] = [];
    if (opts.to !== null) {
      const again = await makePlan(scope, await ledger.read(), { to: opts.to });
      if (hasWork(again)) reapplied = (await applySteps(scope, again, lease, performance.now())).applied;
    }
    const durationMs = Math.round(performance.now() - started);
    emit({ type: 'run:finished', command: 'down', outcome: 'ok', durationMs, applied: reapplied, runId });
    return { runId, outcome: 'ok' as const, plan, applied: reapplied, baselined: [], reverted, durationMs };
  });
}
