import { CliError, ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { pluginReport } from '../report.js';
import { forEachTarget, type CommandEnv } from '../target-loop.js';

export interface DownCommandOptions {
  to?: string;
  all?: boolean;
  dryRun?: boolean;
}

export async function downCommand(env: CommandEnv, options: DownCommandOptions): Promise<ExitCodeValue> {
  if ((options.to === undefined) === (options.all !== true)) {
    throw new CliError(
      'down needs exactly one of --to <id> (keep <id>, revert what came after) or --all (revert everything)',
    );
  }
  const { out } = env;
  const to = options.all ? null : options.to!;
  return forEachTarget(env, 'down', { live: !options.dryRun }, async (runner, info) => {
    const result = await runner.down({ to, dryRun: options.dryRun === true });
    const list = (ids: string[]) => (ids.length ? ` (${ids.join(', ')})` : '');
    if (result.outcome === 'dry-run')
      out.print(`dry run: would revert ${result.reverted.length}${list(result.reverted)}; nothing was changed`);
    else {
      out.print(
        `${out.paint('green', 'reverted')} ${result.reverted.length}${list(result.reverted)} in ${result.durationMs} ms`,
      );
      if (result.applied.length)
        out.print(`re-applied ${result.applied.length}${list(result.applied)} that a snapshot restore had undone`);
    }
    const report =
      result.outcome === 'dry-run' ? undefined : await pluginReport(out, info, { command: 'down', result });
    return { exitCode: ExitCode.OK, data: { result, ...(report ? { report: report.data ?? null } : {}) } };
  });
}
