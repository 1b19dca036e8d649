// The csv-not-ingested trait's finding: new files, files grown by complete lines, copies and changed
// prefixes not yet recorded (a recorded conflict or a held-back partial line is not pending).
import { TidemarkError } from '@tidemark/core';
import { PLUGIN_NAME } from './options.js';
import { pathProblems } from './paths-guard.js';
import { fileState, isPending, planFiles } from './file-plan.js';
import type { TelemetryTarget } from './target.js';

export async function pendingLogFiles(
  target: TelemetryTarget,
  options: { closedAfterMs?: number } = {},
): Promise<{ summary: string; details: Record<string, unknown> } | null> {
  // A wrong logsDir must not read as "nothing pending" (the step would be baselined): refused like the guard.
  const wrong = (await pathProblems(target)).filter((p) => p.startsWith('logsDir'));
  if (wrong.length > 0)
    throw new TidemarkError('STEP_FAILED', `refusing to run, nothing was recorded: ${wrong.join('; ')}`, {
      plugin: PLUGIN_NAME,
    });
  const { rows, live } = await fileState(target.knex);
  const plans = (await planFiles(target.logsDir, rows, { live, ...options })).filter(isPending);
  if (plans.length === 0) return null;
  const of = (kind: string) => plans.filter((p) => p.kind === kind).map((p) => p.file);
  const bytes = plans.reduce(
    (n, p) => n + (p.kind === 'new' ? p.size : p.kind === 'grow' ? p.size - p.row.size_bytes : 0),
    0,
  );
  const parts = [
    of('new').length ? `${of('new').length} new` : '',
    of('grow').length ? `${of('grow').length} grown` : '',
    of('copy').length ? `${of('copy').length} copied` : '',
    of('conflict').length ? `${of('conflict').length} changed (conflict)` : '',
  ].filter(Boolean);
  return {
    summary: `${plans.length} CSV file(s) (${bytes} bytes) not ingested: ${parts.join(', ')}`,
    details: {
      files: plans.map((p) => p.file).slice(0, 50),
      bytes,
      new: of('new').slice(0, 50),
      grown: of('grow').slice(0, 50),
      conflicts: of('conflict').slice(0, 50),
    },
  };
}
