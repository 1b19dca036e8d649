// `version` = 0 for every existing spool: contiguous runs of data rows become ranges of ONE values.batchUpdate
// per chunk of `chunkRows` rows; a checkpoint after each chunk lets a crashed run resume at the next one.
import type { MigrationContext } from '@tidemark/core';
import { columnLetter, quoteSheet } from './a1.js';
import type { Config } from './options.js';
import { classify, refuse, viewSheet } from './inspect.js';
import { INITIAL_VERSION } from './schema.js';
import type { SheetsTarget } from './target.js';

interface VersionsCheckpoint {
  /** 0-based row index where the next chunk starts. */
  nextRow: number;
  written: number;
}

/** Runs of consecutive row indexes: [first, last] inclusive. */
function runs(rows: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last && last[1] === r - 1) last[1] = r;
    else out.push([r, r]);
  }
  return out;
}

export async function initializeVersions(
  ctx: MigrationContext<SheetsTarget>,
  config: Config,
): Promise<{ written: number; requests: number }> {
  const target = ctx.target;
  const view = await viewSheet(target);
  const c = classify(view, config.schema);
  if (c.shape !== 'v3.0') refuse(target, 'cannot initialize versions: the v3.0 columns are not in place', c.problems);
  let saved = await ctx.checkpoint.load<VersionsCheckpoint>();
  // A checkpoint is only trusted if the rows it claims done still hold a version (an undo may have cleared them).
  if (saved && c.missingVersions.some((r) => r < saved!.nextRow)) {
    ctx.warn(`ignoring a stale checkpoint (row ${saved.nextRow + 1}): rows before it have no version; starting over`, {
      ...saved,
    });
    saved = null;
  }
  if (saved)
    ctx.log(`resuming version initialization at row ${saved.nextRow + 1} (${saved.written} rows written before)`, {
      ...saved,
    });
  const from = saved?.nextRow ?? 0;
  const todo = c.missingVersions.filter((r) => r >= from);
  const letter = columnLetter(c.versionIndex);
  const sheets = await target.session.sheets();
  let written = saved?.written ?? 0;
  let requests = 0;
  for (let i = 0; i < todo.length; i += config.chunkRows) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const chunk = todo.slice(i, i + config.chunkRows);
    const data = runs(chunk).map(([a, b]) => ({
      range: `${quoteSheet(target.sheetName)}!${letter}${a + 1}:${letter}${b + 1}`,
      values: Array.from({ length: b - a + 1 }, () => [INITIAL_VERSION]),
    }));
    await target.session.call('sheets.values.batchUpdate', 'write', (o) =>
      sheets.spreadsheets.values.batchUpdate(
        { spreadsheetId: target.spreadsheetId, requestBody: { valueInputOption: 'RAW', data } },
        o,
      ),
    );
    requests++;
    written += chunk.length;
    const next = todo[i + config.chunkRows];
    ctx.progress(written, c.dataRows.length, 'rows with version = 0');
    if (next !== undefined) await ctx.checkpoint.save({ nextRow: next, written } satisfies VersionsCheckpoint);
  }
  return { written, requests };
}

/** Undo: empty the version cells of every data row (the column itself goes with `002`'s rollback). */
export async function clearVersions(target: SheetsTarget): Promise<boolean> {
  const view = await viewSheet(target);
  const v = view.headers.indexOf('version');
  if (v < 0 || view.rowCount < 2) return false;
  const letter = columnLetter(v);
  const sheets = await target.session.sheets();
  await target.session.call('sheets.values.batchClear', 'write', (o) =>
    sheets.spreadsheets.values.batchClear(
      {
        spreadsheetId: target.spreadsheetId,
        requestBody: { ranges: [`${quoteSheet(target.sheetName)}!${letter}2:${letter}${view.rowCount}`] },
      },
      o,
    ),
  );
  return true;
}
