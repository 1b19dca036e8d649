import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { printDrift } from '../render-plan.js';
import { renderTable, truncate } from '../table.js';
import { forEachTarget, type CommandEnv } from '../target-loop.js';

export async function rehearseCommand(env: CommandEnv, options: { to?: string }): Promise<ExitCodeValue> {
  const { out } = env;
  return forEachTarget(env, 'rehearse', { live: true }, async (runner) => {
    const report = await runner.rehearse(options.to ? { to: options.to } : {});
    out.print(
      `rehearsal on a copy: ${report.outcome === 'ok' ? out.paint('green', 'ok') : out.paint('red', 'failed')}, would apply ${report.applied.length}${report.applied.length ? ` (${report.applied.join(', ')})` : ''}`,
    );
    if (report.error) out.print(`${out.paint('red', 'error')} ${report.error}`);
    const rows = report.diff.changes.map((c) => [c.kind, c.path, truncate(c.detail ?? '', 80)]);
    if (rows.length)
      for (const line of renderTable(['CHANGE', 'PATH', 'DETAIL'], rows, (s) => out.paint('bold', s))) out.print(line);
    out.print(report.diff.summary);
    printDrift(out, report.plan);
    out.print('the target itself was not changed');
    return { exitCode: report.outcome === 'ok' ? ExitCode.OK : ExitCode.FAILED, data: { rehearsal: report } };
  });
}
