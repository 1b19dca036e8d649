// The plugin's version stamp (e.g. `nodb.version`) beside the ledger: raised on `up`, put back on `down`.
import type { LedgerEntry } from '../contract.js';
import type { RunScope } from './scope.js';

/** The stamp follows the highest version bundle applied or baselined; it never goes down on `up`. */
export async function raiseStamp<T>(scope: RunScope<T>, done: readonly string[]): Promise<void> {
  const stamp = scope.plugin.stamp;
  if (!stamp) return;
  const versions = scope.ordered.filter((m) => m.version !== undefined && done.includes(m.id)).map((m) => m.version!);
  if (versions.length === 0) return;
  const next = Math.max(...versions);
  if (next > (await stamp.read(scope.target))) await stamp.write(scope.target, next);
}

/** The stamp as a run finds it; null when the plugin can tell none is stored (and can remove one). */
export async function stampBefore<T>(scope: RunScope<T>): Promise<{ versionBefore?: number | null }> {
  const stamp = scope.plugin.stamp;
  if (!stamp) return {};
  if (stamp.stored && stamp.remove && !(await stamp.stored(scope.target))) return { versionBefore: null };
  return { versionBefore: await stamp.read(scope.target) };
}

/** After a rollback the stamp goes back to what it was before the earliest reverted run, or away if none was stored. */
export async function lowerStamp<T>(scope: RunScope<T>, reverted: readonly LedgerEntry[]): Promise<void> {
  const stamp = scope.plugin.stamp;
  if (!stamp) return;
  const before = reverted.find((e) => e.versionBefore !== undefined)?.versionBefore;
  if (before === undefined) return;
  const remaining = new Set((await scope.ledger.read()).filter((e) => e.outcome !== 'failed').map((e) => e.id));
  const versions = scope.ordered.filter((m) => m.version !== undefined && remaining.has(m.id)).map((m) => m.version!);
  if (before === null && versions.length === 0) {
    if (stamp.remove && (await stamp.stored?.(scope.target)) !== false) await stamp.remove(scope.target);
    return;
  }
  const back = Math.max(...(before === null ? [] : [before]), ...versions);
  if (back !== (await stamp.read(scope.target))) await stamp.write(scope.target, back);
}
