// `rehearse`: the same `up` on the plugin's copy of the target (or inside a transaction it rolls back),
// reported with what changed; the target itself is never touched.
import type { Plan } from '../contract.js';
import { describeError } from '../redact.js';
import type { RunScope } from './scope.js';
import type { RehearsalReport, Runner, RunnerOptions, UpOptions } from './types.js';

export async function rehearse<T>(
  scope: RunScope<T>,
  opts: Omit<UpOptions, 'dryRun'>,
  runnerOn: (options: RunnerOptions<T>) => Runner,
): Promise<RehearsalReport> {
  const { plugin } = scope;
  if (!plugin.rehearse)
    throw scope.fail('NOT_SUPPORTED', `plugin "${plugin.name}" cannot rehearse (no copy or rolled-back transaction)`);
  const session = await plugin.rehearse(scope.target);
  try {
    const copy = runnerOn({ ...scope.options, target: session.target, events: scope.events, onEvent: undefined });
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
