// Inside a run, an error is a step's, a guard's or something else's: one classifier names the migration, the
// phase and the cause for the ledger, the events and the error an `up` or `down` throws.
import { isTidemarkError } from '../errors.js';
import { describeError } from '../redact.js';

/** Thrown inside the guard chain by a migration; guards see it, restore, and rethrow. */
export class StepFailure extends Error {
  constructor(
    readonly migration: string,
    readonly phase: 'up' | 'down' | 'validate' | 'ledger',
    override readonly cause: unknown,
  ) {
    super(`${migration} ${phase}: ${describeError(cause)}`);
  }
}

export class GuardFailure extends Error {
  constructor(
    readonly guard: string,
    override readonly cause: unknown,
  ) {
    super(`guard ${guard}: ${describeError(cause)}`);
  }
}

export interface Classified {
  /** The migration that failed, or the one running when something else did. */
  migration: string | undefined;
  /** `up`, `down`, `validate`, `ledger`, or `guard:<name>`. */
  step: string;
  cause: unknown;
  /** True when the migration itself (its up/down/validator, or its ledger write) failed. */
  stepFailed: boolean;
  lockLost: boolean;
}

export function classify(error: unknown, current: string | undefined, direction: 'up' | 'down'): Classified {
  const cause = error instanceof StepFailure || error instanceof GuardFailure ? error.cause : error;
  return {
    migration: error instanceof StepFailure ? error.migration : current,
    step:
      error instanceof StepFailure ? error.phase : error instanceof GuardFailure ? `guard:${error.guard}` : direction,
    cause,
    stepFailed: error instanceof StepFailure,
    lockLost: isTidemarkError(cause, 'LOCK_LOST'),
  };
}
