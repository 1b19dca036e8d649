import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { printPlan } from '../render-plan.js';
import { forEachTarget, type CommandEnv } from '../target-loop.js';

export async function planCommand(
  env: CommandEnv,
  options: { to?: string; repairDrift?: boolean },
): Promise<ExitCodeValue> {
  return forEachTarget(env, 'plan', { live: false }, async (runner) => {
    const plan = await runner.plan({
      ...(options.to ? { to: options.to } : {}),
      repairDrift: options.repairDrift === true,
    });
    printPlan(env.out, plan);
    return { exitCode: ExitCode.OK, data: { plan } };
  });
}
