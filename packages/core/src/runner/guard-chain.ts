// Guards compose so that the first declared is the outermost; preflight refusals come before any write.
import type { GuardContext } from '../contract.js';
import { isTidemarkError } from '../errors.js';
import { describeError } from '../redact.js';
import { GuardFailure, StepFailure } from './failures.js';
import type { Layer, RunScope, RunState } from './scope.js';

/** Runs `core` inside `layers`; tells guard errors from step errors, and a guard that skipped next(). */
export async function chain<C>(
  layers: readonly Layer<C>[],
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

/** Refusals that must happen before any write, the lease included. */
export async function preflight<T>(scope: RunScope<T>, command: 'up' | 'down'): Promise<void> {
  for (const guard of scope.guards) {
    if (!guard.preflight) continue;
    try {
      await guard.preflight({ target: scope.target, targetLabel: scope.label, command, signal: scope.signal });
    } catch (error) {
      scope.emit({ type: 'guard', guard: guard.name, action: 'refused', detail: { reason: describeError(error) } });
      throw scope.fail('STEP_FAILED', 'refused before any write; nothing was changed', {
        step: `guard:${guard.name}`,
        cause: error,
      });
    }
  }
}

export function guardContext<T>(scope: RunScope<T>, state: RunState, name: string): GuardContext<T> {
  return {
    target: scope.target,
    targetLabel: scope.label,
    runId: state.runId,
    command: state.command,
    signal: state.signal,
    steps: state.steps,
    emit: (action, detail) =>
      scope.emit({ type: 'guard', guard: name, action, runId: state.runId, ...(detail ? { detail } : {}) }),
    snapshotTaken: (ref) => {
      state.snapshot = { guard: name, ref };
    },
    restored: () => {
      state.restored = true;
    },
  };
}
