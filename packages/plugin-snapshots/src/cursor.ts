// The backfill's saved cursor. Batches may run concurrently (one connection each), so a later window can
// commit while an earlier one is still running or fails: the cursor keeps the contiguous prefix of
// production run ids that is done (`after`) plus the windows already done beyond it (`ahead`), and every
// count covers both. A resumed backfill starts at `after` and skips the windows in `ahead`.

/** The production runs with `lo < id <= hi`. */
export interface RunWindow {
  lo: number;
  hi: number;
}

/** Saved with every batch, in the batch's transaction. */
export interface BackfillCursor {
  /** Every production run with an id up to this one has been looked at. */
  after: number;
  seen: number;
  migrated: number;
  skipped: number;
  errors: number;
  batches: number;
  /** Windows committed beyond `after` while an earlier window had not (yet) committed; in id order. */
  ahead?: RunWindow[];
  /** Runs the database refused, found by splitting their batch, skipped (also counted in `errors`). */
  failed?: FailedRun[];
}

export interface FailedRun {
  run_id: number;
  reason: string;
}

export interface BatchCounts {
  seen: number;
  migrated: number;
  skipped: number;
  errors: number;
  failed?: FailedRun[];
}

export const START: BackfillCursor = { after: 0, seen: 0, migrated: 0, skipped: 0, errors: 0, batches: 0 };

/** The cursor once `window` has committed with `counts`. */
export function mergeBatch(cursor: BackfillCursor, window: RunWindow, counts: BatchCounts): BackfillCursor {
  const pending = [...(cursor.ahead ?? []), { lo: window.lo, hi: window.hi }].sort((a, b) => a.lo - b.lo);
  let after = cursor.after;
  while (pending.length > 0 && pending[0]!.lo <= after) after = Math.max(after, pending.shift()!.hi);
  return {
    after,
    seen: cursor.seen + counts.seen,
    migrated: cursor.migrated + counts.migrated,
    skipped: cursor.skipped + counts.skipped,
    errors: cursor.errors + counts.errors,
    batches: cursor.batches + 1,
    ...(pending.length > 0 ? { ahead: pending } : {}),
    ...(cursor.failed || counts.failed
      ? { failed: [...(cursor.failed ?? []), ...(counts.failed ?? [])].sort((a, b) => a.run_id - b.run_id) }
      : {}),
  };
}

/**
 * The window to run next, given the next candidate `(lo, hi]` and the windows already done ahead: cut short
 * before the first done window it reaches, or `{ skipTo }` when a done window starts right at `lo`.
 */
export function clipWindow(ahead: readonly RunWindow[], lo: number, hi: number): RunWindow | { skipTo: number } {
  const done = ahead.filter((w) => w.hi > lo && w.lo < hi).sort((a, b) => a.lo - b.lo)[0];
  if (!done) return { lo, hi };
  if (done.lo <= lo) return { skipTo: done.hi };
  return { lo, hi: done.lo };
}
