// Read-only detectors of the legacy shape. They share the one cached read of the sheet, and they refuse
// (throw) on a layout they do not know, so the planner never baselines steps on a sheet we would not touch.
import { defineTrait, type Trait } from '@tidemark/core';
import type { Config } from '../options.js';
import { columnLetter } from '../a1.js';
import { ADD_COLUMNS_STEP } from '../migrations/002_add_v3_columns.js';
import { INIT_VERSIONS_STEP } from '../migrations/004_initialize_versions.js';
import { assertMigratable } from '../preflight.js';
import type { SheetsTarget } from '../target.js';

/** A run started here (some step recorded) but `id` is not recorded: its effect may be an interrupted run's. */
function interrupted(entries: { id: string; outcome: string }[], id: string): boolean {
  return entries.some((e) => e.outcome !== 'failed') && !entries.some((e) => e.id === id && e.outcome !== 'failed');
}

export function sheetsTraits(config: Config): Trait<SheetsTarget>[] {
  const n = config.schema.minColumns;
  return [
    defineTrait<SheetsTarget>({
      id: 'sheets.v21-layout',
      title: `v2.1 layout: ${config.schema.key} and at least ${n} columns, no ${config.schema.added.join(' / ')}`,
      fixes: [ADD_COLUMNS_STEP],
      async detect(target) {
        const { classification, view, entries } = await assertMigratable(target, config);
        if (classification.shape !== 'v2.1') {
          // Columns added by an interrupted run that crashed before recording it: re-run the (idempotent) step so
          // the ledger says "applied" and rollback removes them; "baselined" would make rollback skip them.
          // Already at v3.0 when this session first looked, with nothing recorded: adopted (002 baselined, 005
          // runs the audit's checks). Sticky for the session: the steps this run records are no interrupted run.
          if (target.session.adopted) return null;
          if (interrupted(entries, ADD_COLUMNS_STEP))
            return {
              summary: 'the v3.0 columns were added by an interrupted run that did not record it',
              details: { resume: true },
            };
          if (entries.length === 0)
            target.session.adopted = `found at v3.0: ${target.sheetName} row 1 ends with ${config.schema.added.join(', ')} after ${classification.width} v2.1 columns`;
          return null;
        }
        target.session.adopted = undefined;
        return {
          summary: `row 1 holds ${classification.width} v2.1 headers (A..${columnLetter(classification.width - 1)}${classification.width > n ? `; ${classification.width - n} more than the seed's ${n}, carried` : ''}) with ${config.schema.key} and none of the v3.0 columns`,
          details: {
            headers: view.headers.length,
            dataRows: classification.dataRows.length,
            gridColumns: view.columnCount,
            known: classification.known,
          },
        };
      },
    }),
    defineTrait<SheetsTarget>({
      id: 'sheets.versions-missing',
      title: 'existing rows without a version',
      fixes: [INIT_VERSIONS_STEP],
      async detect(target) {
        const { classification: c, entries } = await assertMigratable(target, config);
        const missing = c.shape === 'v2.1' ? c.dataRows : c.missingVersions;
        if (missing.length === 0) {
          if (c.dataRows.length > 0 && !target.session.adopted && interrupted(entries, INIT_VERSIONS_STEP))
            return {
              summary: 'versions were written by an interrupted run that did not record it',
              details: { resume: true },
            };
          return null;
        }
        return {
          summary: `${missing.length} row(s) with a ${config.schema.key} have no version${c.shape === 'v2.1' ? ' column yet' : ''}`,
          details: { rows: missing.length, firstRows: missing.slice(0, 10).map((r) => r + 1) },
        };
      },
    }),
  ];
}
