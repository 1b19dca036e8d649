import { describe, expect, test } from 'vitest';
import type { Evidence, LedgerEntry } from './contract.js';
import { isTidemarkError } from './errors.js';
import { computePlan, describeReasons, hasWork, inContexts, type PlanInput } from './plan.js';
import { flagTrait, setter, type Box } from './test/fixtures.js';

const m1 = setter('001', 'a', 1);
const m2 = setter('002', 'b', 1, { requires: ['001'] });
const m3 = setter('003', 'c', 1);
const ev = (summary: string): Evidence => ({ summary });
const entry = (
  id: string,
  checksum: string,
  outcome: LedgerEntry['outcome'] = 'applied',
  note?: string,
): LedgerEntry => ({
  id,
  checksum,
  outcome,
  at: '2026-01-01T00:00:00.000Z',
  durationMs: 1,
  by: 'me',
  runId: 'r',
  ...(note ? { note } : {}),
});

function plan(over: Partial<PlanInput<Box>> = {}) {
  return computePlan<Box>({
    plugin: 'box',
    target: 't',
    migrations: [m1, m2, m3],
    traits: [],
    entries: [],
    findings: new Map(),
    ...over,
  });
}

describe('computePlan', () => {
  test('an empty ledger with no traits plans every migration in order, as pending', () => {
    const p = plan();
    expect(p.steps.map((s) => s.id)).toEqual(['001', '002', '003']);
    expect(p.steps.every((s) => s.reasons.length === 1 && s.reasons[0]!.kind === 'pending')).toBe(true);
    expect(p.steps[0]!.why).toBe('not in the ledger');
    expect(p.steps[0]!.title).toBe('set a');
    expect(p.baseline).toEqual([]);
    expect(p.applied).toEqual([]);
    expect(p.drift).toEqual([]);
    expect(p.target).toBe('t');
  });

  test('applied and baselined entries are not planned again and are listed in plan order', () => {
    const p = plan({ entries: [entry('003', m3.checksum, 'baselined'), entry('001', m1.checksum)] });
    expect(p.steps.map((s) => s.id)).toEqual(['002']);
    expect(p.applied).toEqual(['001', '003']);
    expect(hasWork(p)).toBe(true);
  });

  test('a fully applied ledger has no work', () => {
    const p = plan({ entries: [entry('001', m1.checksum), entry('002', m2.checksum), entry('003', m3.checksum)] });
    expect(hasWork(p)).toBe(false);
    expect(p.steps).toEqual([]);
  });

  test('a trait-gated migration runs when its trait detects, with the evidence as reason', () => {
    const trait = flagTrait('legacy-b', 'b', ['002']);
    const p = plan({ traits: [trait], findings: new Map([['legacy-b', ev('b is old')]]) });
    const step = p.steps.find((s) => s.id === '002')!;
    expect(step.reasons).toEqual([{ kind: 'trait', trait: 'legacy-b', evidence: { summary: 'b is old' } }]);
    expect(step.why).toBe('trait legacy-b: b is old');
    expect(p.findings).toEqual({ 'legacy-b': { summary: 'b is old' } });
  });

  test('a trait-gated migration whose traits find nothing is baselined with that evidence', () => {
    const p = plan({
      traits: [flagTrait('legacy-b', 'b', ['002']), flagTrait('legacy-c', 'c', ['002'])],
      findings: new Map([
        ['legacy-b', null],
        ['legacy-c', null],
      ]),
    });
    expect(p.steps.map((s) => s.id)).toEqual(['001', '003']);
    expect(p.baseline).toEqual([
      { id: '002', title: 'set b', note: 'legacy shape not found: legacy-b, legacy-c detected nothing' },
    ]);
    expect(
      hasWork(
        plan({
          migrations: [m1],
          entries: [],
          traits: [flagTrait('x', 'a', ['001'])],
          findings: new Map([['x', null]]),
        }),
      ),
    ).toBe(true);
  });

  test('one detecting trait among several is enough to run', () => {
    const p = plan({
      traits: [flagTrait('t1', 'b', ['002']), flagTrait('t2', 'c', ['002'])],
      findings: new Map([
        ['t1', null],
        ['t2', ev('yes')],
      ]),
    });
    expect(p.steps.find((s) => s.id === '002')!.reasons).toEqual([
      { kind: 'trait', trait: 't2', evidence: { summary: 'yes' } },
    ]);
  });

  test('a failed entry is retried with the previous error as a reason', () => {
    const p = plan({ entries: [entry('001', m1.checksum, 'failed', 'up: disk full')] });
    expect(p.steps[0]).toMatchObject({
      id: '001',
      reasons: [{ kind: 'pending' }, { kind: 'retry', previous: 'up: disk full' }],
    });
    expect(p.steps[0]!.why).toBe('not in the ledger; retry after failure (up: disk full)');
    expect(p.applied).toEqual([]);
    expect(plan({ entries: [entry('001', m1.checksum, 'failed')] }).steps[0]!.reasons[1]).toEqual({
      kind: 'retry',
      previous: 'failed',
    });
  });

  test('a trait-gated step that failed is retried even when its trait no longer detects (it may have stopped half-way)', () => {
    const p = plan({
      entries: [entry('002', m2.checksum, 'failed', 'up: crash')],
      traits: [flagTrait('legacy-b', 'b', ['002'])],
      findings: new Map([['legacy-b', null]]),
    });
    expect(p.baseline).toEqual([]);
    expect(p.steps.find((s) => s.id === '002')!.reasons).toEqual([{ kind: 'retry', previous: 'up: crash' }]);
  });

  test('a changed checksum on an applied migration is drift; on a baselined one it is not', () => {
    const p = plan({ entries: [entry('001', 'old-sum'), entry('003', 'other', 'baselined')] });
    expect(p.drift).toEqual([{ kind: 'checksum', id: '001', recorded: 'old-sum', current: m1.checksum }]);
  });

  test("an applied entry recorded with one of the migration's previousChecksums is no drift; any other old checksum still is", () => {
    const refactored = setter('001', 'a', 1, { previousChecksums: ['release-1-sum', 'release-2-sum'] });
    expect(refactored.checksum).toBe(m1.checksum); // previousChecksums are not part of the fingerprint
    const withRefactored = { migrations: [refactored, m2, m3] };
    expect(plan({ ...withRefactored, entries: [entry('001', 'release-2-sum')] }).drift).toEqual([]);
    expect(plan({ ...withRefactored, entries: [entry('001', 'release-2-sum')] }).steps.map((s) => s.id)).toEqual([
      '002',
      '003',
    ]);
    expect(plan({ ...withRefactored, entries: [entry('001', 'tampered')] }).drift).toEqual([
      { kind: 'checksum', id: '001', recorded: 'tampered', current: m1.checksum },
    ]);
    // another migration's old checksum is no excuse
    expect(plan({ ...withRefactored, entries: [entry('002', 'release-2-sum')] }).drift).toEqual([
      { kind: 'checksum', id: '002', recorded: 'release-2-sum', current: m2.checksum },
    ]);
  });

  test('previousChecksums must be non-empty strings', () => {
    expect(() => setter('001', 'a', 1, { previousChecksums: [''] })).toThrow(
      /previousChecksums must be a list of non-empty checksum strings/,
    );
    expect(() => setter('001', 'a', 1, { previousChecksums: 'abc' as unknown as string[] })).toThrow(
      /previousChecksums/,
    );
  });

  test('a failed entry with another checksum is not drift', () => {
    expect(plan({ entries: [entry('001', 'old', 'failed')] }).drift).toEqual([]);
  });

  test('ledger ids the plugin does not know are drift', () => {
    expect(plan({ entries: [entry('999_gone', 'x')] }).drift).toEqual([{ kind: 'unknown-migration', id: '999_gone' }]);
    expect(plan({ entries: [entry('999_gone', 'x', 'failed')] }).drift).toEqual([]);
  });

  test('a legacy shape found again after its fix was applied is drift, repaired only when asked', () => {
    const input = {
      entries: [entry('001', m1.checksum), entry('002', m2.checksum)],
      traits: [flagTrait('legacy-b', 'b', ['002'])],
      findings: new Map([['legacy-b', ev('back')]]),
    };
    const p = plan(input);
    expect(p.drift).toEqual([{ kind: 'legacy-shape', id: '002', trait: 'legacy-b', evidence: { summary: 'back' } }]);
    expect(p.steps.map((s) => s.id)).toEqual(['003']);
    const repaired = plan({ ...input, repairDrift: true });
    expect(repaired.steps.map((s) => s.id)).toEqual(['002', '003']);
    expect(repaired.steps[0]!.reasons).toEqual([
      { kind: 'drift-repair', trait: 'legacy-b', evidence: { summary: 'back' } },
    ]);
    expect(repaired.steps[0]!.why).toBe('repair drift, trait legacy-b found again: back');
    expect(plan({ ...input, repairDrift: true, to: '001' }).steps).toEqual([]);
    expect(plan({ ...input, repairDrift: true, to: '002' }).steps.map((s) => s.id)).toEqual(['002']);
  });

  test('external findings are reported with what they need', () => {
    const trait = flagTrait('ash', 'c', [], 'the Python ash model');
    const p = plan({ traits: [trait], findings: new Map([['ash', ev('3 pickles')]]) });
    expect(p.external).toEqual([
      { trait: 'ash', title: 'c is legacy', needs: 'the Python ash model', evidence: { summary: '3 pickles' } },
    ]);
    expect(plan({ traits: [trait], findings: new Map([['ash', null]]) }).external).toEqual([]);
    expect(plan({ traits: [flagTrait('x', 'c', ['003'])], findings: new Map([['x', ev('e')]]) }).external).toEqual([]);
  });

  test('`to` stops after that migration, in plan order', () => {
    expect(plan({ to: '002' }).steps.map((s) => s.id)).toEqual(['001', '002']);
    expect(plan({ to: '001' }).steps.map((s) => s.id)).toEqual(['001']);
    const gated = plan({ to: '002', traits: [flagTrait('t', 'b', ['002'])], findings: new Map([['t', null]]) });
    expect(gated.steps.map((s) => s.id)).toEqual(['001']);
    expect(gated.baseline.map((b) => b.id)).toEqual(['002']);
  });

  test('`to` an unknown id is an error', () => {
    let error: unknown;
    try {
      plan({ to: 'nope' });
    } catch (e) {
      error = e;
    }
    expect(isTidemarkError(error, 'UNKNOWN_MIGRATION')).toBe(true);
    expect((error as Error).message).toBe('[tidemark] [box] target "t": cannot plan up to unknown migration "nope"');
  });

  test('contexts select migrations; one outside every selected context is left alone', () => {
    const flagged = setter('004', 'd', 1, { contexts: ['LABLET_ENABLED'] });
    const input = { migrations: [m1, m3, flagged] };
    expect(plan({ ...input, contexts: [] }).steps.map((s) => s.id)).toEqual(['001', '003']);
    expect(plan({ ...input, contexts: ['LABLET_ENABLED'] }).steps.map((s) => s.id)).toEqual(['001', '003', '004']);
    expect(plan(input).steps.map((s) => s.id)).toEqual(['001', '003', '004']);
  });

  test('a selected migration that requires one outside the contexts is an error naming both', () => {
    const base = setter('001', 'a', 1, { contexts: ['A'] });
    const dependent = setter('002', 'b', 1, { requires: ['001'] });
    let error: unknown;
    try {
      plan({ migrations: [base, dependent], contexts: ['B'] });
    } catch (e) {
      error = e;
    }
    expect(isTidemarkError(error, 'UNKNOWN_MIGRATION')).toBe(true);
    expect((error as Error).message).toMatch(
      /migration "002" requires "001", which this run will not apply \(outside the selected contexts\)$/,
    );
  });

  test('a migration object without requires (not made by defineMigration) needs nothing', () => {
    const bare = { id: '009', title: 'bare', checksum: 'c9', up: async () => {} } as never;
    expect(plan({ migrations: [m1, bare] }).steps.map((s) => s.id)).toEqual(['001', '009']);
  });
});

describe('inContexts', () => {
  test('no contexts on either side means yes', () => {
    expect(inContexts(m1, undefined)).toBe(true);
    expect(inContexts(m1, ['X'])).toBe(true);
    expect(inContexts(setter('x', 'x', 1, { contexts: ['A'] }), undefined)).toBe(true);
    expect(inContexts(setter('x', 'x', 1, { contexts: [] }), ['B'])).toBe(true);
    expect(inContexts(setter('x', 'x', 1, { contexts: ['A'] }), ['B'])).toBe(false);
    expect(inContexts(setter('x', 'x', 1, { contexts: ['A', 'B'] }), ['B'])).toBe(true);
  });
});

describe('describeReasons', () => {
  test('joins reasons for people', () => {
    expect(describeReasons([{ kind: 'pending' }, { kind: 'trait', trait: 't', evidence: { summary: 's' } }])).toBe(
      'not in the ledger; trait t: s',
    );
  });
});
