// The planner is pure: given migrations, traits' findings and the ledger, it says what runs and why.
import type {
  BaselineStep,
  Drift,
  Evidence,
  ExternalFinding,
  LedgerEntry,
  Migration,
  Plan,
  PlannedStep,
  StepReason,
  Trait,
} from './contract.js';

export type { BaselineStep, Drift, ExternalFinding, Plan, PlannedStep, StepReason };
import { checksumMatches } from './checksum.js';
import { orderMigrations } from './dag.js';
import { TidemarkError } from './errors.js';

export interface PlanInput<T> {
  plugin: string;
  target: string;
  migrations: readonly Migration<T>[];
  traits: readonly Trait<T>[];
  entries: readonly LedgerEntry[];
  findings: ReadonlyMap<string, Evidence | null>;
  /** Stop after this id (inclusive) in plan order. */
  to?: string | undefined;
  /** Only migrations without contexts or with one of these. Undefined = all. */
  contexts?: readonly string[] | undefined;
  /** Re-run applied migrations whose legacy shape came back. */
  repairDrift?: boolean | undefined;
}

export function inContexts<T>(m: Migration<T>, contexts: readonly string[] | undefined): boolean {
  if (contexts === undefined || !m.contexts || m.contexts.length === 0) return true;
  return m.contexts.some((c) => contexts.includes(c));
}

export function computePlan<T>(input: PlanInput<T>): Plan {
  const ordered = orderMigrations(input.migrations, input.plugin);
  const known = new Map(ordered.map((m) => [m.id, m]));
  const latest = new Map<string, LedgerEntry>();
  for (const e of input.entries) latest.set(e.id, e);

  const fixers = new Map<string, Trait<T>[]>();
  for (const t of input.traits) for (const f of t.fixes) fixers.set(f, [...(fixers.get(f) ?? []), t]);

  const drift: Drift[] = [];
  for (const e of latest.values()) {
    if (e.outcome === 'failed') continue;
    const m = known.get(e.id);
    if (!m) drift.push({ kind: 'unknown-migration', id: e.id });
    else if (e.outcome === 'applied' && !checksumMatches(m, e.checksum)) {
      drift.push({ kind: 'checksum', id: e.id, recorded: e.checksum, current: m.checksum });
    }
  }

  const external: ExternalFinding[] = [];
  for (const t of input.traits) {
    const evidence = input.findings.get(t.id);
    if (evidence && t.external) external.push({ trait: t.id, title: t.title, needs: t.external, evidence });
  }

  if (input.to !== undefined && !known.has(input.to)) {
    throw new TidemarkError('UNKNOWN_MIGRATION', `cannot plan up to unknown migration "${input.to}"`, {
      plugin: input.plugin,
      target: input.target,
    });
  }

  const limit = input.to === undefined ? Number.POSITIVE_INFINITY : ordered.findIndex((m) => m.id === input.to);
  const steps: PlannedStep[] = [];
  const baseline: BaselineStep[] = [];
  const applied: string[] = [];
  const willBeDone = new Set<string>();

  ordered.forEach((m, position) => {
    const entry = latest.get(m.id);
    const done = entry !== undefined && entry.outcome !== 'failed';
    const traits = fixers.get(m.id) ?? [];
    const detected = traits.flatMap((t) => {
      const evidence = input.findings.get(t.id);
      return evidence ? [{ trait: t.id, evidence }] : [];
    });

    if (done) {
      applied.push(m.id);
      willBeDone.add(m.id);
      for (const d of detected) drift.push({ kind: 'legacy-shape', id: m.id, trait: d.trait, evidence: d.evidence });
      if (input.repairDrift && detected.length > 0 && position <= limit) {
        const reasons: StepReason[] = detected.map((d) => ({ kind: 'drift-repair', ...d }));
        steps.push({ id: m.id, title: m.title, reasons, why: describeReasons(reasons) });
      }
      return;
    }
    if (position > limit || !inContexts(m, input.contexts)) return;

    const missing = (m.requires ?? []).filter((r) => !willBeDone.has(r));
    if (missing.length > 0) {
      throw new TidemarkError(
        'UNKNOWN_MIGRATION',
        `requires ${missing.map((r) => `"${r}"`).join(', ')}, which this run will not apply (outside the selected contexts)`,
        { plugin: input.plugin, target: input.target, migration: m.id },
      );
    }
    willBeDone.add(m.id);

    const reasons: StepReason[] = [];
    if (traits.length === 0) reasons.push({ kind: 'pending' });
    else if (detected.length > 0) reasons.push(...detected.map((d): StepReason => ({ kind: 'trait', ...d })));
    // A step that failed part-way may have moved the target out of the shape its trait looks for: rerun it.
    else if (entry?.outcome !== 'failed') {
      baseline.push({
        id: m.id,
        title: m.title,
        note: `legacy shape not found: ${traits.map((t) => t.id).join(', ')} detected nothing`,
      });
      return;
    }
    if (entry?.outcome === 'failed') reasons.push({ kind: 'retry', previous: entry.note ?? 'failed' });
    steps.push({ id: m.id, title: m.title, reasons, why: describeReasons(reasons) });
  });

  const findings: Record<string, Evidence | null> = {};
  for (const [k, v] of input.findings) findings[k] = v;
  return { target: input.target, steps, baseline, drift, external, applied, findings };
}

export function describeReasons(reasons: readonly StepReason[]): string {
  return reasons
    .map((r) => {
      switch (r.kind) {
        case 'pending':
          return 'not in the ledger';
        case 'trait':
          return `trait ${r.trait}: ${r.evidence.summary}`;
        case 'retry':
          return `retry after failure (${r.previous})`;
        case 'drift-repair':
          return `repair drift, trait ${r.trait} found again: ${r.evidence.summary}`;
      }
    })
    .join('; ');
}

/** True when `up` has something to do. */
export function hasWork(plan: Plan): boolean {
  return plan.steps.length > 0 || plan.baseline.length > 0;
}
