import type { Plan } from '@tidemark/core';
import type { Output } from './output.js';
import { renderTable, truncate } from './table.js';

export function printPlan(out: Output, plan: Plan): void {
  const rows = [
    ...plan.steps.map((s) => [s.id, out.paint('cyan', 'apply'), truncate(s.why, 90)]),
    ...plan.baseline.map((b) => [b.id, out.paint('dim', 'baseline'), truncate(b.note, 90)]),
  ];
  if (rows.length === 0) out.print(`up to date: nothing to apply or baseline (${plan.applied.length} recorded)`);
  else
    for (const line of renderTable(['MIGRATION', 'ACTION', 'WHY'], rows, (s) => out.paint('bold', s))) out.print(line);
  printDrift(out, plan);
}

export function printDrift(out: Output, plan: Plan): void {
  for (const d of plan.drift) {
    const what =
      d.kind === 'checksum'
        ? `checksum changed since it was applied (${d.recorded} -> ${d.current})`
        : d.kind === 'unknown-migration'
          ? 'in the ledger but not defined by the plugin'
          : `trait ${d.trait} found the legacy shape again: ${d.evidence.summary}`;
    out.print(`${out.paint('yellow', 'drift')} ${d.id}: ${what}`);
  }
  for (const x of plan.external)
    out.print(`${out.paint('yellow', 'external')} ${x.trait} needs ${x.needs}: ${x.evidence.summary}`);
}
