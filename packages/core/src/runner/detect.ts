// Traits' findings and the plan built from them and the ledger.
import type { Evidence, LedgerEntry, Migration, Plan } from '../contract.js';
import { computePlan } from '../plan.js';
import type { UpOptions } from './types.js';
import type { RunScope } from './scope.js';

export async function detect<T>(scope: RunScope<T>): Promise<Map<string, Evidence | null>> {
  const findings = new Map<string, Evidence | null>();
  for (const trait of scope.plugin.traits ?? []) {
    let evidence: Evidence | null;
    try {
      evidence = await trait.detect(scope.target, { targetLabel: scope.label, signal: scope.signal });
    } catch (error) {
      throw scope.fail('STEP_FAILED', `trait "${trait.id}" could not inspect the target`, {
        step: 'detect',
        cause: error,
      });
    }
    findings.set(trait.id, evidence);
    if (evidence) scope.emit({ type: 'trait:detected', trait: trait.id, evidence });
  }
  return findings;
}

export async function makePlan<T>(
  scope: RunScope<T>,
  entries: LedgerEntry[],
  opts: Omit<UpOptions, 'dryRun'> = {},
): Promise<Plan> {
  const findings = await detect(scope);
  return computePlan({
    plugin: scope.plugin.name,
    target: scope.label,
    migrations: scope.ordered,
    traits: scope.plugin.traits ?? [],
    entries,
    findings,
    to: opts.to,
    contexts: scope.options.contexts,
    repairDrift: opts.repairDrift,
  });
}

/** Trait findings for a baselined migration, checked again now. */
export async function redetect<T>(scope: RunScope<T>, m: Migration<T>): Promise<Evidence[]> {
  const found: Evidence[] = [];
  for (const trait of (scope.plugin.traits ?? []).filter((t) => t.fixes.includes(m.id))) {
    const evidence = await trait.detect(scope.target, { targetLabel: scope.label, signal: scope.signal });
    if (evidence) {
      scope.emit({ type: 'trait:detected', trait: trait.id, evidence });
      found.push(evidence);
    }
  }
  return found;
}
