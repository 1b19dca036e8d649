// The runner: plan, up, down, verify, status, rehearse over one RunScope. Guards wrap the run and each step;
// on failure the guards restore and the ledger is reconciled so it tells the truth about what the target holds.
import type { Plan } from '../contract.js';
import { inContexts } from '../plan.js';
import { describeError } from '../redact.js';
import { up } from './apply.js';
import { makePlan } from './detect.js';
import { rehearse } from './rehearse.js';
import { down } from './revert.js';
import { createScope, type RunScope } from './scope.js';
import { validate } from './step-context.js';
import type { Runner, RunnerOptions, StatusReport, VerifyReport } from './types.js';

export type {
  RunnerOptions,
  UpOptions,
  DownOptions,
  VerifyReport,
  StatusReport,
  RehearsalReport,
  Runner,
} from './types.js';

async function verify<T>(scope: RunScope<T>): Promise<VerifyReport> {
  const entries = await scope.ledger.read();
  const plan = await makePlan(scope, entries);
  const validation: VerifyReport['validation'] = [];
  for (const id of plan.applied) {
    const m = scope.byId.get(id)!;
    if (entries.find((e) => e.id === id)?.outcome !== 'applied') continue;
    try {
      const issues = await validate(scope, m, scope.signal);
      if (issues.length > 0) validation.push({ id, issues });
    } catch (error) {
      validation.push({ id, issues: [{ message: `validator threw: ${describeError(error)}` }] });
    }
  }
  const ok = validation.length === 0 && plan.drift.length === 0 && plan.steps.length === 0;
  return { ok, plan, validation };
}

async function status<T>(scope: RunScope<T>): Promise<StatusReport> {
  const entries = await scope.ledger.read();
  const recorded = new Set(entries.filter((e) => e.outcome !== 'failed').map((e) => e.id));
  return {
    target: scope.label,
    entries,
    pending: scope.ordered.filter((m) => !recorded.has(m.id) && inContexts(m, scope.options.contexts)).map((m) => m.id),
    unknown: entries.filter((e) => !scope.byId.has(e.id)).map((e) => e.id),
    lock: await scope.ledger.lock.inspect(),
    version: scope.plugin.stamp ? await scope.plugin.stamp.read(scope.target) : null,
  };
}

function runnerOf<T>(scope: RunScope<T>): Runner {
  return {
    events: scope.events,
    plan: async (opts): Promise<Plan> => {
      const plan = await makePlan(scope, await scope.ledger.read(), opts);
      scope.emit({ type: 'plan:ready', plan });
      return plan;
    },
    up: (opts) => up(scope, opts),
    down: (opts) => down(scope, opts),
    verify: () => verify(scope),
    status: () => status(scope),
    // The copy's runs say `rehearse` in their events: they change the copy, never the target.
    rehearse: (opts = {}) => rehearse(scope, opts, (options) => runnerOf(createScope(options, 'rehearse'))),
  };
}

export function createRunner<T>(options: RunnerOptions<T>): Runner {
  return runnerOf(createScope(options));
}
