// Rehearsal: the plan applied to a Drive copy of the spreadsheet (ledger included, it is developer metadata),
// then a diff of the copy against the original, then the copy is deleted. The original is only read.
import type { ChangeSummary, RehearsalSession } from '@tidemark/core';
import { columnLetter } from './a1.js';
import { readSpreadsheet } from './capture.js';
import { SheetsSession } from './client.js';
import type { Config } from './options.js';
import { copySpreadsheet, deleteBackup } from './backup.js';
import type { SheetsTarget } from './target.js';

export async function rehearseOnCopy(target: SheetsTarget, config: Config): Promise<RehearsalSession<SheetsTarget>> {
  const copy = await copySpreadsheet(target, config, 'tidemark rehearsal:');
  const session = new SheetsSession({ sheets: await target.session.sheets(), drive: await target.session.drive() });
  const rehearsal: SheetsTarget = { spreadsheetId: copy.fileId, sheetName: target.sheetName, session };
  return {
    target: rehearsal,
    async diff(): Promise<ChangeSummary> {
      const [before, after] = [
        await readSpreadsheet(target.session, target.spreadsheetId),
        await readSpreadsheet(session, copy.fileId),
      ];
      const changes: ChangeSummary['changes'] = [];
      for (const sheet of after.sheets) {
        const old = before.sheets.find((s) => s.title === sheet.title);
        if (!old) {
          changes.push({ kind: 'added', path: sheet.title, detail: 'sheet' });
          continue;
        }
        if (old.columnCount !== sheet.columnCount || old.rowCount !== sheet.rowCount) {
          changes.push({
            kind: 'changed',
            path: `${sheet.title} grid`,
            detail: `${old.rowCount}x${old.columnCount} -> ${sheet.rowCount}x${sheet.columnCount}`,
          });
        }
        // Compare by header so inserted columns read as "added", not as every later column "changed".
        const headers = sheet.values[0] ?? [];
        const oldHeaders = old.values[0] ?? [];
        headers.forEach((h, c) => {
          const oc = oldHeaders.indexOf(h);
          let cells = 0;
          for (let r = 1; r < Math.max(sheet.values.length, old.values.length); r++) {
            const now = sheet.values[r]?.[c] ?? '';
            const was = oc < 0 ? '' : (old.values[r]?.[oc] ?? '');
            if (now !== was) cells++;
          }
          if (oc < 0)
            changes.push({
              kind: 'added',
              path: `${sheet.title}!${columnLetter(c)}`,
              detail: `column "${h}", ${cells} cell(s) filled`,
            });
          else if (cells > 0)
            changes.push({
              kind: 'changed',
              path: `${sheet.title}!${columnLetter(c)}`,
              detail: `column "${h}", ${cells} cell(s)`,
            });
        });
        for (const h of oldHeaders)
          if (h && !headers.includes(h))
            changes.push({ kind: 'removed', path: `${sheet.title}`, detail: `column "${h}"` });
      }
      for (const s of before.sheets)
        if (!after.sheets.some((x) => x.title === s.title))
          changes.push({ kind: 'removed', path: s.title, detail: 'sheet' });
      const summary =
        changes.length === 0
          ? 'no changes'
          : changes.map((c) => `${c.kind} ${c.path}${c.detail ? ` (${c.detail})` : ''}`).join('; ');
      return { summary, changes };
    },
    async dispose() {
      // The rehearsal's own backup (step 001 ran on the copy) goes too.
      if (session.backup) await deleteBackup(rehearsal, session.backup.fileId);
      await deleteBackup(rehearsal, copy.fileId);
    },
  };
}
