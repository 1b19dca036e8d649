import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { printDrift } from '../render-plan.js';
import { renderTable, truncate } from '../table.js';
import { forEachTarget, type CommandEnv } from '../target-loop.js';

/**
 * The exit code names one finding: drift first (a legacy shape that came back also fails validators, and
 * drift says why), then invalid data, then pending migrations.
 */
export async function verifyCommand(env: CommandEnv): Promise<ExitCodeValue> {
  const { out } = env;
  return forEachTarget(env, 'verify', { live: false }, async (runner) => {
    const report = await runner.verify();
    const { plan } = report;
    const issues = report.validation.flatMap((v) =>
      v.issues.map((i) => [v.id, i.where ?? '', truncate(i.message, 80)]),
    );
    if (issues.length)
      for (const line of renderTable(['MIGRATION', 'WHERE', 'ISSUE'], issues, (s) => out.paint('bold', s)))
        out.print(line);
    printDrift(out, plan);
    for (const s of plan.steps) out.print(`${out.paint('yellow', 'pending')} ${s.id}: ${s.why}`);
    for (const b of plan.baseline)
      out.print(`${out.paint('yellow', 'pending')} ${b.id}: would be baselined (${b.note})`);
    const exitCode = plan.drift.length
      ? ExitCode.DRIFT
      : issues.length
        ? ExitCode.FAILED
        : plan.steps.length || plan.baseline.length
          ? ExitCode.PENDING
          : ExitCode.OK;
    out.print(
      exitCode === ExitCode.OK
        ? `${out.paint('green', 'verified')}: ${plan.applied.length} recorded, validators pass, no trait finds a legacy shape`
        : `${out.paint('red', 'not verified')}: ${issues.length} invalid, ${plan.drift.length} drift, ${plan.steps.length + plan.baseline.length} pending`,
    );
    return {
      exitCode,
      data: {
        verify: {
          ok: exitCode === ExitCode.OK,
          validation: report.validation,
          drift: plan.drift,
          pending: [...plan.steps.map((s) => s.id), ...plan.baseline.map((b) => b.id)],
          external: plan.external,
        },
      },
    };
  });
}
