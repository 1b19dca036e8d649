// The call an app awaits at boot. With nothing pending it costs one ledger read and takes no lock; when
// many replicas boot at once they queue on the lease and each re-plans, so every migration runs once.
import { inContexts } from './plan.js';
import type { RunResult } from './contract.js';
import { createRunner, type RunnerOptions } from './runner/index.js';

export interface StartupResult {
  outcome: 'up-to-date' | 'migrated';
  applied: string[];
  result?: RunResult;
}

export async function runPendingMigrations<T>(options: RunnerOptions<T>): Promise<StartupResult> {
  const entries = await options.plugin.ledger(options.target).read();
  const recorded = new Map(entries.map((e) => [e.id, e]));
  const pending = options.plugin.migrations.some((m) => {
    const e = recorded.get(m.id);
    return inContexts(m, options.contexts) && (e === undefined || e.outcome === 'failed');
  });
  if (!pending) return { outcome: 'up-to-date', applied: [] };
  const result = await createRunner(options).up();
  return {
    outcome: result.applied.length > 0 || result.baselined.length > 0 ? 'migrated' : 'up-to-date',
    applied: result.applied,
    result,
  };
}
