// A plugin may offer `report(target, context)` (a CLI extension core's Plugin type does not declare yet): after
// each `up`/`down` the CLI prints the report's text for people, and --json carries its data in the target's
// entry. A plugin without the hook is unaffected; a report that fails is a warning, never a failed command.
import { describeError, type RunResult } from '@tidemark/core';
import type { Output } from './output.js';
import type { TargetInfo } from './target-loop.js';

export interface PluginReport {
  /** Printed after the run (people mode). */
  text: string;
  /** Put under `report` in the target's --json entry. */
  data?: unknown;
}

export interface ReportContext {
  command: 'up' | 'down';
  /** The run's result; absent when the run failed. */
  result?: RunResult;
  /** Why the run failed. */
  error?: unknown;
}

export type ReportHook<T = unknown> = (target: T, context: ReportContext) => Promise<PluginReport> | PluginReport;

export async function pluginReport(out: Output, info: TargetInfo, context: ReportContext): Promise<PluginReport | undefined> {
  const plugin = info.entry.plugin as { report?: ReportHook };
  if (typeof plugin.report !== 'function') return undefined;
  try {
    const report = await plugin.report(info.target, context);
    out.print('');
    out.print(report.text);
    return report;
  } catch (error) {
    out.warn(`${out.paint('yellow', 'warning')} ${info.name}: the plugin's report failed: ${describeError(error)}`);
    return undefined;
  }
}
