import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { printDrift, printPlan } from '../render-plan.js';
import { pluginReport } from '../report.js';
import { forEachTarget, type CommandEnv } from '../target-loop.js';

export interface UpCommandOptions {
  to?: string;
  dryRun?: boolean;
  repairDrift?: boolean;
  /** Print the plugin's report also when there was nothing to do. */
  verbose?: boolean;
}

export async function upCommand(env: CommandEnv, options: UpCommandOptions): Promise<ExitCodeValue> {
  const { out } = env;
  return forEachTarget(env, 'up', { live: !options.dryRun }, async (runner, info) => {
    let result;
    try {
      result = await runner.up({
        ...(options.to ? { to: options.to } : {}),
        dryRun: options.dryRun === true,
        repairDrift: options.repairDrift === true,
      });
    } catch (error) {
      if (!options.dryRun) await pluginReport(out, info, { command: 'up', error });
      throw error;
    }
    if (result.outcome === 'dry-run') {
      out.print('dry run: nothing was changed');
      printPlan(out, result.plan);
    } else if (result.outcome === 'nothing-to-do') {
      out.print(`up to date: nothing to apply (${result.plan.applied.length} recorded)`);
      printDrift(out, result.plan);
    } else {
      out.print(
        `${out.paint('green', 'applied')} ${result.applied.length}${result.applied.length ? ` (${result.applied.join(', ')})` : ''}, ` +
          `baselined ${result.baselined.length}${result.baselined.length ? ` (${result.baselined.join(', ')})` : ''} in ${result.durationMs} ms`,
      );
      if (!options.repairDrift) printDrift(out, result.plan);
    }
    // Nothing to do is one line: the plugin's report (telemetry's runbook is ~27 lines) only after work, with
    // --verbose, or as data under --json.
    const wantReport =
      result.outcome !== 'dry-run' && (result.outcome !== 'nothing-to-do' || options.verbose === true || out.json);
    const report = wantReport ? await pluginReport(out, info, { command: 'up', result }) : undefined;
    return { exitCode: ExitCode.OK, data: { result, ...(report ? { report: report.data ?? null } : {}) } };
  });
}
