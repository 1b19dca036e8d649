// Read-only shape check before anything is written: bad input (moved, renamed or duplicate headers, extra
// v3.0 columns only partly there, an empty sheet) is refused with every problem listed.
import type { LedgerEntry } from '@tidemark/core';
import type { Config } from './options.js';
import { classify, refuse, viewSheet, type Classification, type SheetView } from './inspect.js';
import { sheetsLedger } from './ledger.js';
import type { SheetsTarget } from './target.js';

export interface Preflight {
  view: SheetView;
  classification: Classification;
  entries: LedgerEntry[];
  /** True when the ledger shows a migration started here (a resume): a v3.0 shape is then expected. */
  inProgress: boolean;
}

export async function inspectTarget(target: SheetsTarget, config: Config): Promise<Preflight> {
  const ledger = sheetsLedger(target, config.clock);
  // The ledger read (spreadsheets.get) also caches the sheet properties the view needs.
  const entries = await ledger.read();
  const view = await viewSheet(target);
  const classification = classify(view, config.schema);
  const inProgress = entries.some((e) => e.outcome !== 'failed');
  return { view, classification, entries, inProgress };
}

export async function assertMigratable(target: SheetsTarget, config: Config): Promise<Preflight> {
  const p = await inspectTarget(target, config);
  const { shape, problems } = p.classification;
  if (shape === 'invalid') refuse(target, `sheet "${target.sheetName}" does not have the v2.1 layout`, problems);
  // A sheet already at v3.0 with an empty ledger (migrated by the seed's scripts or by hand) is adopted: the
  // traits find no legacy shape, so 002 is baselined, and 005 records the adoption with its evidence.
  return p;
}
