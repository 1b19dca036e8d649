// A plugin may offer `report(target, context)` (core's optional Plugin.report): after
// each `up`/`down` the CLI prints the report's text for people, and --json carries its data in the target's
// entry. A plugin without the hook is unaffected; a report that fails is a warning, never a failed command.
import { describeError, type PluginReport, type ReportContext } from '@tidemark/core';
import type { Output } from './output.js';
import type { TargetInfo } from './target-loop.js';

export type ReportHook<T = unknown> = (target: T, context: ReportContext) => Promise<PluginReport> | PluginReport;

export async function pluginReport(
  out: Output,
  info: TargetInfo,
  context: ReportContext,
): Promise<PluginReport | undefined> {
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
